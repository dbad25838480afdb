import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Seed events through rules, policy and the outbox")
struct SeedEventTests {
    @Test(arguments: StoreKind.available) func everySeedEventReachesTheRightPerson(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        let dir = packageRoot.appendingPathComponent("Examples/events")
        var byEvent: [String: IngestResult] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".json") {
            let json = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let result = try await h.ingest(json, now: "2026-11-23T14:00:00Z").get()
            byEvent[result.event] = result
        }
        #expect(byEvent.count == 8)
        func only(_ id: String) throws -> Decision {
            let decisions = try #require(byEvent[id]).decisions
            try #require(decisions.count == 1)
            return decisions[0]
        }
        let assigned = try only("crm-evt-1001")
        #expect(assigned.contact == "u-17" && assigned.action == .send && assigned.locale == "am")
        let toSelf = try only("crm-evt-1002")
        #expect(toSelf.action == .suppress && toSelf.reason == .selfAction && toSelf.messageID == nil)
        let response = try only("crm-evt-1003")
        #expect(response.contact == "c-501" && response.action == .send && response.audience == "customer")
        let escalated = try only("crm-evt-1004")
        #expect(escalated.contact == "u-1" && escalated.audience == "manager" && escalated.action == .send)
        let resolved = try only("crm-evt-1005")
        #expect(resolved.contact == "c-501" && resolved.audience == "customer" && resolved.action == .send)
        let reminder = try only("ecar-apt-2003")
        #expect(reminder.action == .defer && reminder.dueAt == "2026-11-25T08:30:00Z")

        let messages = try await h.store.messages(MessageFilter(limit: 100))
        #expect(messages.count == 7)
        let text = Dictionary(uniqueKeysWithValues: messages.map { ($0.template, $0) })
        #expect(text["case.response_added"]?.text.contains("has received 2 responses") == true)
        #expect(text["case.resolved"]?.text == "Your case #CASE-001 has been resolved. Thank you for using MINTT CRM.")
        #expect(text["service.completed"]?.text
            == "Bonjour Amine, votre service pour Peugeot 208 est terminé. Merci de nous contacter pour récupérer votre véhicule.")
        let invoice = try #require(text["invoice.created"])
        #expect(invoice.text.contains("de 1 234,500 DT pour votre Peugeot 208"))
        #expect(invoice.encoding == "GSM-7" && invoice.segments == 1 && invoice.phone == "+21620123456")
        #expect(text["appointment.reminder"]?.text.contains("le jeudi 26 novembre à 09:30") == true)
        #expect(text["appointment.reminder"]?.status == .deferred)
        #expect(text["case.escalated"]?.phone == "+251711234567")
        // The CRM's stored form, 2519…, is read as Ethiopian.
        #expect(try await h.store.contact(id: "u-3")?.phone == "+251911765432")
    }
}

@Suite("Opt-outs, language and phone")
struct PreferenceTests {
    /// A value the catalog check could not foresee (a name that forces UCS-2) pushes the reminder past its budget of
    /// 3 segments: the decision says so, and nothing is sent at that cost.
    @Test(arguments: StoreKind.available) func aMessageOverItsBudgetIsRefusedNotSent(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        func reminder(_ id: String, name: String) -> String {
            """
            {"id": "\(id)", "type": "appointment.reminder",
             "data": {"appointment": {"at": "2026-11-26T09:30:00+01:00"},
                      "customer": {"id": "c-\(id)", "phone": "+21620123456", "region": "TN", "firstName": "\(name)",
                                   "language": "en", "timeZone": "Africa/Tunis"},
                      "car": {"make": "\(String(repeating: "M", count: 20))", "model": "\(String(repeating: "m", count: 20))"}}}
            """
        }
        let over = try await h.decide(reminder("a", name: "😀" + String(repeating: "x", count: 28)), now: "2026-11-23T14:00:00Z")
        #expect(over.action == .suppress && over.reason == .overBudget && over.messageID == nil)
        #expect(over.detail.contains("4 segments (UCS-2"), "\(over.detail)")
        #expect(over.detail.contains("over the budget of 3"))
        let within = try await h.decide(reminder("b", name: String(repeating: "x", count: 29)), now: "2026-11-23T14:00:00Z")
        #expect(within.action == .defer && within.messageID != nil)
    }

    @Test(arguments: StoreKind.available) func optOutOfOneCategoryLeavesTheOthers(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await h.store.updateContact(id: "c-1", now: 0, policy: h.planner.config, source: "test") { $0.optedOutCategories = ["billing"] }
        let invoice = try await h.decide(garage("invoice.created", at: "2026-11-23T10:00:00Z"), now: "2026-11-23T10:00:00Z")
        #expect(invoice.action == .suppress && invoice.reason == .optedOut && invoice.category == "billing")
        let service = try await h.decide(garage("service.completed", at: "2026-11-23T10:00:00Z"), now: "2026-11-23T10:00:00Z")
        #expect(service.action == .send)
    }

    @Test(arguments: StoreKind.available) func optOutOfEverything(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await h.store.updateContact(id: "c-1", now: 0, policy: h.planner.config, source: "test") { $0.optedOutAll = true }
        for type in ["invoice.created", "service.completed"] {
            let d = try await h.decide(garage(type, at: "2026-11-23T10:00:00Z"), now: "2026-11-23T10:00:00Z")
            #expect(d.action == .suppress && d.reason == .optedOut && d.category == "all")
        }
        #expect(try await h.counts().messages == 0)
    }

    @Test(arguments: StoreKind.available) func theCustomersLanguageWinsOverTheEvents(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await h.store.updateContact(id: "c-1", now: 0, policy: h.planner.config, source: "test") {
            $0.language = "am"
            $0.languageChosen = true
        }
        let d = try await h.decide(garage("service.completed", at: "2026-11-23T10:00:00Z", language: "en"), now: "2026-11-23T10:00:00Z")
        #expect(d.locale == "am")
        #expect(d.trace.contains { $0.check == "language" && $0.detail.contains("the contact chose am, which wins") })
        #expect(try await h.store.contact(id: "c-1")?.language == "am")
        let message = try #require(try await h.store.messages(MessageFilter(contact: "c-1")).first)
        #expect(message.encoding == "UCS-2" && message.locale == "am")
    }

    @Test(arguments: StoreKind.available) func anEventsLanguageIsUsedUntilTheCustomerChooses(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        _ = try await h.decide(garage("service.completed", at: "2026-11-23T10:00:00Z", language: "fr"), now: "2026-11-23T10:00:00Z")
        let next = try await h.decide(garage("service.completed", at: "2026-11-23T10:05:00Z", language: "en"), now: "2026-11-23T10:05:00Z")
        #expect(next.locale == "en")
        #expect(try await h.store.contact(id: "c-1")?.languageChosen == false)
    }

    @Test(arguments: StoreKind.available) func aLanguageWithoutMessagesFallsBack(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        let d = try await h.decide(garage("service.completed", at: "2026-11-23T10:00:00Z", language: "de"), now: "2026-11-23T10:00:00Z")
        #expect(d.action == .send && d.locale == "en")
        #expect(d.trace.contains { $0.check == "language" && $0.detail.contains("no service.completed message in de; used en") })
    }

    @Test(arguments: StoreKind.available) func phoneNumbersDecide(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        let noPhone = try await h.decide(assigned(at: "2026-11-23T10:00:00Z", assignee: "u-40", phone: nil), now: "2026-11-23T10:00:00Z")
        #expect(noPhone.reason == .noPhone)
        let bad = try await h.decide(assigned(at: "2026-11-23T10:00:00Z", assignee: "u-41", phone: "12345"), now: "2026-11-23T10:00:00Z")
        #expect(bad.reason == .invalidPhone && bad.detail.contains("too_short"))
        // A new number in an event updates the contact.
        _ = try await h.decide(assigned(at: "2026-11-23T10:00:00Z", assignee: "u-42", phone: "0911234567"), now: "2026-11-23T10:00:00Z")
        let moved = try await h.decide(assigned(at: "2026-11-23T10:01:00Z", assignee: "u-42", phone: "+251 91 155 0101"), now: "2026-11-23T10:01:00Z")
        #expect(moved.action == .send)
        #expect(try await h.store.contact(id: "u-42")?.phone == "+251911550101")
        // A later event without a phone uses the stored one.
        let stored = try await h.decide(assigned(at: "2026-11-23T10:02:00Z", assignee: "u-42", phone: nil), now: "2026-11-23T10:02:00Z")
        #expect(stored.action == .send)
        // Safaricom 08x: unknown to the 2022 metadata, possible, so sent with a note.
        let safaricom = try await h.decide(assigned(at: "2026-11-23T10:00:00Z", assignee: "u-43", phone: "0811234567"), now: "2026-11-23T10:00:00Z")
        #expect(safaricom.action == .send)
        #expect(safaricom.trace.contains { $0.detail.contains("not valid per libphonenumber's metadata") })
    }
}

@Suite("Quiet hours, urgency, expiry and rate limits")
struct TimingTests {
    /// (local time of the event, zone, expected action, expected due instant)
    static let quietCases: [(String, String, Decision.Action, String?)] = [
        ("2026-11-23T20:59:00+03:00", "Africa/Addis_Ababa", .send, nil),
        ("2026-11-23T21:00:00+03:00", "Africa/Addis_Ababa", .defer, "2026-11-24T05:00:00Z"),
        ("2026-11-23T23:30:00+03:00", "Africa/Addis_Ababa", .defer, "2026-11-24T05:00:00Z"),
        ("2026-11-24T00:10:00+03:00", "Africa/Addis_Ababa", .defer, "2026-11-24T05:00:00Z"),
        ("2026-11-24T07:59:00+03:00", "Africa/Addis_Ababa", .defer, "2026-11-24T05:00:00Z"),
        ("2026-11-24T08:00:00+03:00", "Africa/Addis_Ababa", .send, nil),
        ("2026-11-23T20:59:00+01:00", "Africa/Tunis", .send, nil),
        ("2026-11-23T21:00:00+01:00", "Africa/Tunis", .defer, "2026-11-24T07:00:00Z"),
        ("2026-11-24T07:59:00+01:00", "Africa/Tunis", .defer, "2026-11-24T07:00:00Z"),
        ("2026-11-24T08:00:00+01:00", "Africa/Tunis", .send, nil),
        // Europe/Paris springs forward on 2026-03-29: 08:00 that morning is 06:00Z, not 07:00Z.
        ("2026-03-28T22:00:00+01:00", "Europe/Paris", .defer, "2026-03-29T06:00:00Z"),
        ("2026-03-29T07:59:00+02:00", "Europe/Paris", .defer, "2026-03-29T06:00:00Z"),
        ("2026-03-29T08:00:00+02:00", "Europe/Paris", .send, nil),
        // ...and falls back on 2026-10-25: 08:00 that morning is 07:00Z.
        ("2026-10-24T22:00:00+02:00", "Europe/Paris", .defer, "2026-10-25T07:00:00Z"),
        ("2026-10-25T01:30:00+01:00", "Europe/Paris", .defer, "2026-10-25T07:00:00Z"),
        ("2026-10-24T20:59:00+02:00", "Europe/Paris", .send, nil),
    ]

    @Test(arguments: quietCases)
    func quietHours(local: String, zone: String, action: Decision.Action, due: String?) async throws {
        for kind in StoreKind.available {
            let h = try await Harness(kind)
            let d = try await h.decide(assigned(at: local, timeZone: zone), now: local)
            #expect(d.action == action, "\(local) \(zone) \(kind)")
            #expect(d.dueAt == due)
            #expect(d.timeZone == zone)
            if let due {
                let message = try #require(try await h.store.messages(MessageFilter()).first)
                #expect(message.status == .deferred && message.dueAt.iso8601 == due)
            }
        }
    }

    @Test(arguments: StoreKind.available) func theContactsOwnQuietHoursAndOff(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await h.store.updateContact(id: "u-17", now: 0, policy: h.planner.config, source: "test") { $0.quietHours = "22:00-07:00" }
        let at2130 = try await h.decide(assigned(at: "2026-11-23T21:30:00+03:00"), now: "2026-11-23T21:30:00+03:00")
        #expect(at2130.action == .send)
        let at2230 = try await h.decide(assigned(at: "2026-11-23T22:30:00+03:00"), now: "2026-11-23T22:30:00+03:00")
        #expect(at2230.dueAt == "2026-11-24T04:00:00Z")
        try await h.store.updateContact(id: "u-17", now: 0, policy: h.planner.config, source: "test") { $0.quietHours = "off" }
        let off = try await h.decide(assigned(at: "2026-11-23T23:30:00+03:00"), now: "2026-11-23T23:30:00+03:00")
        #expect(off.action == .send)
    }

    @Test(arguments: StoreKind.available) func urgentPassesQuietHoursButNotAnOptOut(_ kind: StoreKind) async throws {
        var catalog = shippedCatalog
        catalog.templates["case.escalated"]!.priority = .urgent
        let h = try await Harness(kind, catalog: catalog)
        func escalation(_ id: String) -> String {
            """
            {"id": "\(id)", "type": "case.escalated", "occurredAt": "2026-11-23T23:00:00+03:00",
             "data": {"case": {"number": "CASE-1"}, "manager": {"id": "u-1", "phone": "0911234567"}}}
            """
        }
        let urgent = try await h.decide(escalation("x1"), now: "2026-11-23T23:00:00+03:00")
        #expect(urgent.action == .send)
        #expect(urgent.trace.contains { $0.check == "quiet_hours" && $0.detail.contains("urgent") })
        let normal = try await h.decide(assigned(at: "2026-11-23T23:00:00+03:00", assignee: "u-1"), now: "2026-11-23T23:00:00+03:00")
        #expect(normal.action == .defer)
        try await h.store.updateContact(id: "u-1", now: 0, policy: h.planner.config, source: "test") { $0.optedOutCategories = ["case_updates"] }
        let optedOut = try await h.decide(escalation("x2"), now: "2026-11-23T23:00:00+03:00")
        #expect(optedOut.reason == .optedOut)
    }

    static func reminder(id: String, at appointment: String, occurred: String) -> String {
        """
        {"id": "\(id)", "type": "appointment.reminder", "occurredAt": "\(occurred)",
         "data": {"appointment": {"at": "\(appointment)"},
                  "customer": {"id": "c-9", "phone": "+21620123456", "firstName": "Amine", "timeZone": "Africa/Tunis"},
                  "car": {"make": "Renault", "model": "Clio"}}}
        """
    }

    @Test(arguments: StoreKind.available) func aReminderThatQuietHoursWouldDelayPastItsExpiryExpires(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        // Booked at 22:00 for 07:00 the next morning: quiet until 08:00, after the appointment.
        let late = try await h.decide(
            Self.reminder(id: "r1", at: "2026-11-24T07:00:00+01:00", occurred: "2026-11-23T22:00:00+01:00"),
            now: "2026-11-23T22:00:00+01:00")
        #expect(late.action == .suppress && late.reason == .expired)
        #expect(late.detail.contains("quiet until 2026-11-24 08:00"))
        // An appointment already past.
        let past = try await h.decide(
            Self.reminder(id: "r2", at: "2026-11-20T10:00:00+01:00", occurred: "2026-11-19T10:00:00+01:00"),
            now: "2026-11-23T10:00:00+01:00")
        #expect(past.reason == .expired)
        // Booked at 22:00 for 15:00 tomorrow: deferred to 08:00, still worth sending.
        let deferred = try await h.decide(
            Self.reminder(id: "r3", at: "2026-11-24T15:00:00+01:00", occurred: "2026-11-23T22:00:00+01:00"),
            now: "2026-11-23T22:00:00+01:00")
        #expect(deferred.action == .defer && deferred.dueAt == "2026-11-24T07:00:00Z")
        #expect(try await h.counts().messages == 1)
    }

    @Test(arguments: StoreKind.available) func aMessageOlderThanItsTimeToLiveExpires(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        // case.assigned lives 24h; the event arrives 25h late.
        let d = try await h.decide(assigned(at: "2026-11-22T09:00:00Z"), now: "2026-11-23T10:00:00Z")
        #expect(d.reason == .expired)
    }

    @Test(arguments: StoreKind.available) func theRateLimitCountsPerPersonInItsWindow(_ kind: StoreKind) async throws {
        let h = try await Harness(kind, config: PolicyConfig(rateLimit: RateLimit(count: 2, window: 3600)))
        let first = try await h.decide(assigned(at: "2026-11-23T10:00:00Z"), now: "2026-11-23T10:00:00Z")
        let second = try await h.decide(assigned(at: "2026-11-23T10:10:00Z"), now: "2026-11-23T10:10:00Z")
        let third = try await h.decide(assigned(at: "2026-11-23T10:20:00Z"), now: "2026-11-23T10:20:00Z")
        #expect(first.action == .send && second.action == .send)
        #expect(third.reason == .rateLimited && third.detail.contains("2 messages in the last 1h"))
        let other = try await h.decide(assigned(at: "2026-11-23T10:20:00Z", assignee: "u-99"), now: "2026-11-23T10:20:00Z")
        #expect(other.action == .send)
        let later = try await h.decide(assigned(at: "2026-11-23T11:05:00Z"), now: "2026-11-23T11:05:00Z")
        #expect(later.action == .send)
    }
}

@Suite("Idempotency, bad input and durability")
struct StoreTests {
    @Test(arguments: StoreKind.available) func theSameEventTwiceCreatesNothingNew(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        let json = assigned(id: "dup-1", at: "2026-11-23T10:00:00Z")
        let first = try await h.ingest(json, now: "2026-11-23T10:00:00Z").get()
        let before = try await h.counts()
        let second = try await h.ingest(json, now: "2026-11-23T10:05:00Z").get()
        #expect(!first.duplicate && second.duplicate)
        #expect(second.decisions == first.decisions)
        let after = try await h.counts()
        #expect(after.events == before.events && after.messages == before.messages && after.decisions == before.decisions)
    }

    static let malformed: [(String, EventError.Code, String?)] = [
        ("{\"id\": \"m1\", \"type\": ", .malformedJSON, nil),
        ("[1, 2]", .malformedJSON, nil),
        ("{\"id\": \"m2\", \"type\": \"case.asigned\", \"occurredAt\": \"2026-11-23T10:00:00Z\", \"data\": {}}", .unknownType, "type"),
        ("{\"id\": \"m3\", \"type\": \"case.assigned\", \"occurredAt\": \"2026-11-23T10:00:00Z\", \"data\": {\"case\": {\"title\": \"t\"}, \"assignee\": {\"id\": \"u\"}}}", .missingField, "data.case.number"),
        ("{\"id\": \"m4\", \"type\": \"case.assigned\", \"occurredAt\": \"yesterday\", \"data\": {}}", .invalidField, "occurredAt"),
        ("{\"type\": \"case.assigned\", \"occurredAt\": \"2026-11-23T10:00:00Z\", \"data\": {}}", .missingField, "id"),
        ("{\"id\": \"m5\", \"type\": \"case.assigned\", \"occurredAt\": \"2026-11-23T10:00:00Z\", \"data\": {\"case\": {\"number\": \"C\", \"title\": \"t\"}, \"assignee\": {\"id\": \"u\", \"timeZone\": \"Mars/Olympus\"}}}", .invalidField, "data.assignee.timeZone"),
        ("{\"id\": \"m6\", \"type\": \"invoice.created\", \"occurredAt\": \"2026-11-23T10:00:00Z\", \"data\": {\"customer\": {\"id\": \"c\", \"firstName\": \"A\"}, \"invoice\": {\"number\": \"F\", \"total\": \"lots\"}, \"car\": {\"make\": \"a\", \"model\": \"b\"}}}", .invalidField, "data.invoice.total"),
    ]

    @Test(arguments: malformed)
    func aMalformedEventIsRefusedAndStoresNothing(json: String, code: EventError.Code, field: String?) async throws {
        for kind in StoreKind.available {
            let h = try await Harness(kind)
            let result = try await h.ingest(json, now: "2026-11-23T10:00:00Z")
            guard case .failure(let error) = result else {
                Issue.record("accepted on \(kind): \(json)")
                return
            }
            #expect(error.code == code)
            #expect(error.field == field)
            let counts = try await h.counts()
            #expect(counts.events == 0 && counts.decisions == 0 && counts.messages == 0 && counts.contacts == 0)
        }
    }

    @Test(arguments: StoreKind.available) func aBadEventInABatchLeavesTheOthers(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        let good = try Event.parse(Data(assigned(id: "b1", at: "2026-11-23T10:00:00Z").utf8), catalog: h.planner.catalog)
        var broken = good
        broken.id = "b2"
        broken.data = .object(["case": .object(["number": .string("C")]), "assignee": .object(["id": .string("u")])])
        let results = try await h.store.ingest([good, broken], planner: h.planner, now: ms("2026-11-23T10:00:00Z"))
        #expect((try? results[0].get()) != nil)
        guard case .failure(let error) = results[1] else {
            Issue.record("b2 accepted")
            return
        }
        #expect(error.field == "data.case.title")
        #expect(try await h.counts().events == 1)
        #expect(try await h.store.explain(event: "b2") == nil)
    }

    @Test(arguments: StoreKind.available) func aReopenedDatabaseHoldsEveryDecision(_ kind: StoreKind) async throws {
        let path: String
        let decisions: [Decision]
        do {
            let h = try await Harness(kind)
            path = h.path
            decisions = try await h.ingest(assigned(id: "keep-1", at: "2026-11-23T21:30:00+03:00"), now: "2026-11-23T21:30:00+03:00")
                .get().decisions
        }
        let reopened = try await makeStore(kind, at: path)
        let x = try #require(try await reopened.explain(event: "keep-1"))
        #expect(x.decisions == decisions)
        #expect(x.messages.count == 1 && x.messages[0].status == .deferred)
    }

    @Test(arguments: StoreKind.available) func explainTellsWhy(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await h.store.updateContact(id: "u-17", now: 0, policy: h.planner.config, source: "test") { $0.optedOutCategories = ["billing"] }
        _ = try await h.ingest(assigned(id: "why-1", at: "2026-11-23T22:15:00+03:00", language: "fr"), now: "2026-11-23T22:15:00+03:00")
        let x = try #require(try await h.store.explain(event: "why-1", contact: "u-17"))
        #expect(x.rules.map(\.template) == ["case.assigned"] && x.rules[0].matched)
        let d = try #require(x.decisions.first)
        let checks = d.trace.map(\.check)
        #expect(checks.contains("opt_out") && checks.contains("quiet_hours") && checks.contains("render"))
        #expect(d.trace.contains { $0.detail.contains("local time 2026-11-23 22:15 Mon") })
        #expect(x.messages.first?.text.hasPrefix("Le dossier #CASE-9") == true || x.messages.first?.locale == "fr")
    }
}
