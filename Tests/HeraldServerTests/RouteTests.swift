import Foundation
import HTTPTypes
import HeraldCore
import HeraldDelivery
import HeraldServer
import HeraldStore
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct EventRouteTests {
    @Test func anEventIsDecidedStoredAndIdempotent() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let first = try await client.call(.post, "/v1/events", assigned(id: "evt-1"), headers: h.headers(.backend))
            #expect(first.status == 201)
            #expect(first.json["duplicate"] as? Bool == false)
            let decisions = try #require(first.json["decisions"] as? [[String: Any]])
            #expect(decisions.count == 1)
            #expect(decisions[0]["action"] as? String == "send")
            #expect(decisions[0]["audience"] as? String == "assignee")
            #expect((first.json["summary"] as? String)?.hasPrefix("SMS to the assignee (u-17") == true)
            #expect(first.headers[HTTPField.Name("X-Request-Id")!] != nil)

            // The same id again changes nothing and answers with what was decided.
            let again = try await client.call(.post, "/v1/events", assigned(id: "evt-1"), headers: h.headers(.backend))
            #expect(again.status == 200)
            #expect(again.json["duplicate"] as? Bool == true)
            #expect(try h.count("SELECT COUNT(*) FROM message") == 1)

            let explained = try await client.call(.get, "/v1/events/evt-1", headers: h.headers(.staff))
            #expect(explained.status == 200)
            #expect(((explained.json["decisions"] as? [[String: Any]])?.first?["trace"] as? [Any])?.isEmpty == false)
        }
    }

    /// A NUL in a parameter would cut the SMS short: the event is refused with 422 naming the field, and nothing of it
    /// is stored.
    @Test func aControlCharacterInAParameterIsRefused() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let body = assigned(id: "nul-1").replacingOccurrences(of: #""title": "Printer""#, with: #""title": "a\u0000b""#)
            let r = try await client.call(.post, "/v1/events", body, headers: h.headers(.backend))
            #expect(r.status == 422, "\(r.json)")
            #expect((r.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "data.case.title", "\(r.json)")
            #expect("\(r.json)".contains("U+0000"))
            #expect(try await h.store.hasEvent("nul-1") == false)
        }
    }

    /// No full phone number in an answer, and an impossible receivedAt is refused.
    @Test func answersMaskNumbersAndCheckReceivedAt() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let missing = try await client.call(.get, "/v1/contacts/+251911765432/preferences", headers: h.headers(.backend))
            #expect(missing.status == 404)
            let instance = missing.json["instance"] as? String ?? ""
            #expect(!instance.contains("911765432") && instance.hasPrefix("/v1/contacts/+251"), "\(instance)")
            let bad = try await client.call(
                .post, "/v1/inbound", #"{"from": "+251911765432", "text": "STOP", "receivedAt": "2026-02-30T99:00:00Z"}"#,
                headers: h.headers(.provider))
            #expect(bad.status == 422)
            #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "receivedAt")
            let good = try await client.call(
                .post, "/v1/inbound", #"{"from": "+251911765432", "text": "hello", "receivedAt": "2026-11-23T09:00:00Z"}"#,
                headers: h.headers(.provider))
            #expect(good.status == 200)
        }
    }

    @Test func badInputGetsProblemDetailsWithTheFieldAndChangesNothing() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let malformed = try await client.call(.post, "/v1/events", #"{"id": "x", "type": "#, headers: h.headers(.backend))
            #expect(malformed.status == 400)
            #expect(malformed.headers[.contentType] == "application/problem+json")
            #expect(malformed.json["type"] as? String == "https://herald.dev/problems/malformed-json")
            #expect(malformed.json["instance"] as? String == "/v1/events")

            let badZone0 = try await client.call(
                .post, "/v1/events", assigned(id: "evt-2").replacingOccurrences(of: #""phone""#, with: #""timeZone": "Mars/Olympus", "phone""#),
                headers: h.headers(.backend))
            #expect(badZone0.status == 422)
            let errors = try #require(badZone0.json["errors"] as? [[String: Any]])
            #expect(errors.first?["field"] as? String == "data.assignee.timeZone")

            let unknownType = try await client.call(
                .post, "/v1/events", #"{"id": "e", "type": "case.asigned", "occurredAt": "2026-11-23T11:00:00Z", "data": {}}"#,
                headers: h.headers(.backend))
            #expect(unknownType.status == 422)
            #expect((unknownType.json["detail"] as? String)?.contains("case.assigned") == true)

            let badZone = try await client.call(
                .post, "/v1/render", #"{"template": "case.resolved", "locale": "fr", "timeZone": "Africa/Tunisia", "params": {"caseNumber": "C-1"}}"#,
                headers: h.headers(.backend))
            #expect(badZone.status == 422)
            #expect((badZone.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "timeZone")

            let unknownTemplate = try await client.call(.post, "/v1/render", #"{"template": "case.reslved"}"#, headers: h.headers(.backend))
            #expect(unknownTemplate.status == 422)
            #expect((unknownTemplate.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "template")
            #expect((unknownTemplate.json["detail"] as? String)?.contains("case.resolved") == true)

            let unknownField = try await client.call(.put, "/v1/contacts/u-1/preferences", #"{"langauge": "fr"}"#, headers: h.headers(.backend))
            #expect(unknownField.status == 422)
            #expect((unknownField.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "langauge")
            #expect((unknownField.json["detail"] as? String)?.contains("did you mean 'language'") == true)

            let tooLarge = try await client.call(
                .post, "/v1/events", String(repeating: " ", count: 70 * 1024) + "{}", headers: h.headers(.backend))
            #expect(tooLarge.status == 413)

            let noRoute = try await client.call(.get, "/v1/nothing", headers: h.headers(.admin))
            #expect(noRoute.status == 404)
            #expect(noRoute.headers[.contentType] == "application/problem+json")
            #expect((noRoute.json["detail"] as? String)?.contains("/openapi.yaml") == true)

            #expect(try h.count("SELECT COUNT(*) FROM event") == 0)
            #expect(try h.count("SELECT COUNT(*) FROM contact") == 0)
            #expect(try h.count("SELECT COUNT(*) FROM message") == 0)
        }
    }

    @Test func aBatchStoresTheGoodEventsAndReportsTheBadOnes() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let bad = assigned(id: "b-2").replacingOccurrences(of: #""phone""#, with: #""language": "xx-!!", "phone""#)
            let body = "[\(assigned(id: "b-1")), \(bad), \(serviceCompleted(id: "b-3"))]"
            let r = try await client.call(.post, "/v1/events:batch", body, headers: h.headers(.backend))
            #expect(r.status == 200)
            #expect(r.json["stored"] as? Int == 2)
            #expect(r.json["refused"] as? Int == 1)
            let items = try #require(r.json["items"] as? [[String: Any]])
            #expect(items.map { $0["status"] as? String } == ["stored", "refused", "stored"])
            let problem = try #require(items[1]["problem"] as? [String: Any])
            #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "events[1].data.assignee.language")
            #expect(try h.count("SELECT COUNT(*) FROM event") == 2)
        }
    }
}

@Suite struct TemplateRouteTests {
    @Test func renderListAndCheck() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let rendered = try await client.call(
                .post, "/v1/render",
                #"{"template": "invoice.created", "locale": "fr", "timeZone": "Africa/Tunis", "params": {"firstName": "Amine", "invoiceNumber": "F-2026-0042", "total": 1234.5, "carMake": "Peugeot", "carModel": "208"}}"#,
                headers: h.headers(.author))
            #expect(rendered.status == 200)
            #expect((rendered.json["text"] as? String)?.contains("1 234,500 DT") == true)
            #expect(rendered.json["encoding"] as? String == "GSM-7")
            #expect(rendered.json["segments"] as? Int == 1)
            #expect((rendered.json["replacements"] as? [Any])?.isEmpty == false)

            let list = try await client.call(.get, "/v1/templates", headers: h.headers(.author))
            let templates = try #require(list.json["templates"] as? [[String: Any]])
            #expect(templates.count == 7)
            #expect(templates.allSatisfy { ($0["locales"] as? [String]) == ["am", "en", "fr"] })

            let one = try await client.call(.get, "/v1/templates/service.completed", headers: h.headers(.author))
            #expect(((one.json["messages"] as? [String: String])?["fr"])?.contains("votre service pour") == true)
            #expect(try await client.call(.get, "/v1/templates/nope", headers: h.headers(.author)).status == 404)

            // A locale file with a message that uses an unknown argument: the check names the file, line and reason.
            var fr = try String(contentsOf: packageRoot.appendingPathComponent("Locales/fr.yaml"), encoding: .utf8)
            fr = fr.replacingOccurrences(of: "{firstName}, votre service", with: "{prenom}, votre service")
            let body = String(data: try JSONSerialization.data(withJSONObject: ["content": fr, "name": "fr.yaml"]), encoding: .utf8)!
            let checked = try await client.call(.post, "/v1/templates:check", body, headers: h.headers(.author))
            #expect(checked.status == 200)
            #expect(checked.json["valid"] as? Bool == false)
            #expect(checked.json["kind"] as? String == "locale")
            let diagnostics = try #require(checked.json["diagnostics"] as? [[String: Any]])
            #expect(diagnostics.contains { ($0["message"] as? String ?? "\($0)").contains("prenom") })
            #expect(diagnostics.allSatisfy { $0["line"] != nil })

            let good = String(data: try JSONSerialization.data(withJSONObject: ["content": try String(contentsOf: packageRoot.appendingPathComponent("Templates/case.resolved.yaml"), encoding: .utf8)]), encoding: .utf8)!
            let ok = try await client.call(.post, "/v1/templates:check", good, headers: h.headers(.author))
            #expect(ok.json["valid"] as? Bool == true)
            #expect(ok.json["file"] as? String == "case.resolved.yaml")
            #expect((ok.json["costs"] as? [Any])?.count == 3)
        }
    }
}

@Suite struct ContactRouteTests {
    @Test func stopInEveryLanguageOptsOutAndRepliesInTheirLanguage() async throws {
        let h = try ServerHarness()
        let cases: [(word: String, language: String, reply: String)] = [
            ("STOP", "en", "You will no longer receive"), ("ARRÊT", "fr", "Vous ne recevrez plus"), ("arret", "fr", "Vous ne recevrez plus"),
            ("Unsubscribe", "en", "You will no longer receive"), ("አቁም", "am", "ከእንግዲህ"), ("Stop !", "en", "You will no longer receive"),
        ]
        try await h.application().test(.router) { client in
            for (index, c) in cases.enumerated() {
                let phone = "+2519112345\(String(format: "%02d", index))"
                let contact = "p-\(index)"
                // Known to Herald through an event, with no language of their own: the reply follows the word.
                #expect(try await client.call(.post, "/v1/events", assigned(id: "s-\(index)", assignee: contact, phone: phone), headers: h.headers(.backend)).status == 201)
                try await h.store.updateContact(id: contact, now: h.now.value, policy: h.settings.policy, source: "test") { $0.language = nil }
                let r = try await client.call(.post, "/v1/inbound", #"{"from": "\#(phone)", "text": "\#(c.word)"}"#, headers: h.headers(.provider))
                #expect(r.status == 200)
                #expect(r.json["keyword"] as? String == "stop", "\(c.word)")
                #expect(r.json["contacts"] as? [String] == [contact])
                let reply = try #require(r.json["reply"] as? [String: Any])
                #expect(reply["locale"] as? String == c.language, "\(c.word)")
                #expect((reply["text"] as? String)?.hasPrefix(c.reply) == true, "\(c.word)")
                #expect(try await h.store.contact(id: contact)?.optedOutAll == true)
                // The message that was waiting for them is cancelled, and the next event reaches no one.
                #expect(r.json["cancelled"] as? Int == 1)
                let next = try await client.call(.post, "/v1/events", assigned(id: "s2-\(index)", assignee: contact, phone: phone), headers: h.headers(.backend))
                #expect((next.json["decisions"] as? [[String: Any]])?.first?["reason"] as? String == "opted_out")
            }

            // A person's own language wins over the word's: an Amharic speaker replying STOP is answered in Amharic.
            try await h.store.updateContact(id: "p-0", now: h.now.value, policy: h.settings.policy, source: "test") { $0.language = "am"; $0.languageChosen = true }
            let amharic = try await client.call(.post, "/v1/inbound", #"{"from": "+251911234500", "text": "STOP"}"#, headers: h.headers(.backend))
            #expect((amharic.json["reply"] as? [String: Any])?["locale"] as? String == "am")

            // START opts back in; text that is no keyword changes nothing.
            let start = try await client.call(.post, "/v1/inbound", #"{"from": "+251911234501", "text": "démarrer"}"#, headers: h.headers(.provider))
            #expect(start.json["keyword"] as? String == "start")
            #expect(try await h.store.contact(id: "p-1")?.optedOutAll == false)
            let chat = try await client.call(.post, "/v1/inbound", #"{"from": "+251911234502", "text": "Merci beaucoup"}"#, headers: h.headers(.provider))
            #expect(chat.json["keyword"] is NSNull || chat.json["keyword"] == nil)
            #expect(try await h.store.contact(id: "p-2")?.optedOutAll == true)

            // A number Herald has never seen is kept as opted out, keyed by the number.
            let stranger = try await client.call(.post, "/v1/inbound", #"{"from": "+216 20 999 888", "text": "ARRET"}"#, headers: h.headers(.provider))
            #expect(stranger.json["contacts"] as? [String] == ["+216 2• ••• •88"])
            #expect(try await h.store.contact(id: "+21620999888")?.optedOutAll == true)

            let bad = try await client.call(.post, "/v1/inbound", #"{"from": "12", "text": "STOP"}"#, headers: h.headers(.provider))
            #expect(bad.status == 422)
            #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "from")
        }
    }

    @Test func preferencesAreReadSetAndReset() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            #expect(try await client.call(.get, "/v1/contacts/c-9/preferences", headers: h.headers(.backend)).status == 404)
            let set = try await client.call(
                .put, "/v1/contacts/c-9/preferences",
                #"{"language": "am", "timeZone": "Africa/Addis_Ababa", "quietHours": "22:00-07:00", "optedOutCategories": ["billing"]}"#,
                headers: h.headers(.backend))
            #expect(set.status == 200)
            #expect(set.json["quietHours"] as? String == "22:00-07:00")
            #expect(set.json["quietHoursSource"] as? String == "contact")
            let bad = try await client.call(.put, "/v1/contacts/c-9/preferences", #"{"timeZone": "Mars/Olympus", "optedOutCategories": ["bills"]}"#, headers: h.headers(.backend))
            #expect(bad.status == 422)
            #expect(try await h.store.contact(id: "c-9")?.timeZone == "Africa/Addis_Ababa")
            let badCategory = try await client.call(.put, "/v1/contacts/c-9/preferences", #"{"optedOutCategories": ["bills"]}"#, headers: h.headers(.backend))
            #expect((badCategory.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "optedOutCategories[0]")
            // A language the catalog does not serve is refused, with the one meant when it is named.
            let amharic = try await client.call(.put, "/v1/contacts/c-9/preferences", #"{"language": "amharic"}"#, headers: h.headers(.backend))
            #expect(amharic.status == 422)
            let reason = (amharic.json["errors"] as? [[String: Any]])?.first?["reason"] as? String ?? ""
            #expect(reason.contains("did you mean am?") && reason.contains("languages: am, en, fr"), "\(amharic.json)")
            let german = try await client.call(.put, "/v1/contacts/c-9/preferences", #"{"language": "de"}"#, headers: h.headers(.backend))
            #expect(german.status == 422)
            #expect(try await h.store.contact(id: "c-9")?.language == "am")
            let reset = try await client.call(.put, "/v1/contacts/c-9/preferences", #"{"language": null, "quietHours": null}"#, headers: h.headers(.staff))
            #expect(reset.json["languageSource"] as? String == "default")
            #expect(reset.json["quietHoursSource"] as? String == "default")
            #expect(reset.json["optedOutCategories"] as? [String] == ["billing"])
        }
    }
}

@Suite struct MessageRouteTests {
    /// Sends what is due through the log sender, as the worker in the server would.
    func send(_ h: ServerHarness) async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        let sender = try LogSender(path: logPath)
        let worker = Worker(store: h.store, sender: sender, config: WorkerConfig(), policy: PolicyConfig())
        _ = try await worker.pass(now: h.now.value)
        await sender.shutdown()
    }

    @Test func deliveryReportsResendAndStatisticsAfterAKnownSequence() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            // Two events, each one message; one person opted out of everything: a suppression.
            #expect(try await client.call(.post, "/v1/events", assigned(id: "k-1", assignee: "u-1", phone: "0911000001"), headers: h.headers(.backend)).status == 201)
            #expect(try await client.call(.post, "/v1/events", serviceCompleted(id: "k-2"), headers: h.headers(.backend)).status == 201)
            #expect(try await client.call(.put, "/v1/contacts/u-4/preferences", #"{"optedOutAll": true}"#, headers: h.headers(.backend)).status == 200)
            #expect(try await client.call(.post, "/v1/events", assigned(id: "k-3", assignee: "u-4", phone: "0911000003"), headers: h.headers(.backend)).status == 201)
            try await send(h)

            let list = try await client.call(.get, "/v1/messages?status=sent", headers: h.headers(.staff))
            let messages = try #require(list.json["messages"] as? [[String: Any]])
            #expect(messages.count == 2)
            #expect(messages.allSatisfy { ($0["phone"] as? String)?.contains("•") == true })
            let ids = messages.compactMap { $0["id"] as? Int }.sorted()

            let reports = try await client.call(
                .post, "/v1/delivery-reports",
                #"[{"reference": "\#(ids[0])", "status": "delivered"}, {"reference": "\#(ids[1])", "status": "failed", "errorCode": "EC-21"}, {"reference": "nope", "status": "delivered"}]"#,
                headers: h.headers(.provider))
            #expect(reports.status == 200)
            #expect(reports.json["matched"] as? Int == 2)
            #expect(reports.json["unknown"] as? Int == 1)
            let badReport = try await client.call(.post, "/v1/delivery-reports", #"{"reference": "1", "status": "lost"}"#, headers: h.headers(.provider))
            #expect(badReport.status == 422)

            let one = try await client.call(.get, "/v1/messages/\(ids[0])", headers: h.headers(.staff))
            #expect((one.json["message"] as? [String: Any])?["status"] as? String == "delivered")
            #expect((one.json["attempts"] as? [[String: Any]])?.count == 1)
            #expect(try await client.call(.get, "/v1/messages/999", headers: h.headers(.staff)).status == 404)

            let stats = try await client.call(.get, "/v1/stats?since=24h", headers: h.headers(.staff))
            #expect(stats.json["messages"] as? Int == 2)
            #expect(stats.json["byStatus"] as? [String: Int] == ["delivered": 1, "failed": 1])
            #expect(stats.json["successRate"] as? Double == 0.5)
            #expect(stats.json["deliveredRate"] as? Double == 0.5)
            #expect((stats.json["suppressed"] as? [String: Int])?["opted_out"] == 1, "\(stats.text)")
            #expect((stats.json["attempts"] as? [String: Any])?["accepted"] as? Int == 2)
            let forOne = try await client.call(.get, "/v1/stats?contact=u-1", headers: h.headers(.staff))
            #expect(forOne.json["messages"] as? Int == 1)
            #expect(try await client.call(.get, "/v1/stats?since=yesterday", headers: h.headers(.staff)).status == 422)

            // Staff send a message again (the garage's manual trigger): a new message, queued now.
            let resent = try await client.call(.post, "/v1/messages/\(ids[1]):resend", headers: h.headers(.staff))
            #expect(resent.status == 201)
            #expect(resent.json["resendOf"] as? Int == ids[1])
            #expect(resent.json["status"] as? String == "queued")
            try await send(h)
            #expect(try h.count("SELECT COUNT(*) FROM message WHERE status = 'sent'") == 1)
            // Not to someone who has opted out since.
            #expect(try await client.call(.put, "/v1/contacts/u-1/preferences", #"{"optedOutAll": true}"#, headers: h.headers(.backend)).status == 200)
            let refused = try await client.call(.post, "/v1/messages/\(ids[0]):resend", headers: h.headers(.staff))
            #expect(refused.status == 409)
            #expect(refused.json["type"] as? String == "https://herald.dev/problems/opted-out")

            let metrics = try await client.call(.get, "/metrics", headers: h.headers(.staff))
            #expect(metrics.text.contains("herald_messages{status=\"delivered\"} 1"))
            #expect(metrics.text.contains("herald_render_seconds_count"))
            #expect(metrics.text.contains("herald_events_total{result=\"stored\"} 3"))
            #expect(metrics.text.contains("herald_queue_depth 0"))
        }
    }

    @Test func aCampaignRunsInTheBackgroundAndReportsItsProgress() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let body = """
                {"id": "spring", "template": "service.completed", "params": {"carMake": "Peugeot"},
                 "recipients": [
                   {"contact": "r-1", "phone": "20123401", "region": "TN", "language": "fr", "timeZone": "Africa/Tunis", "params": {"firstName": "Amine", "carModel": "208"}},
                   {"contact": "r-2", "phone": "20123402", "region": "TN", "language": "en", "timeZone": "Africa/Tunis", "params": {"firstName": "Sami", "carModel": "308"}},
                   {"phone": "0911234567", "language": "am", "params": {"firstName": "Abebe", "carModel": "Corolla"}},
                   {"contact": "r-4", "phone": "12", "params": {"firstName": "X", "carModel": "Y"}},
                   {"contact": "r-5", "phone": "20123405", "region": "TN", "params": {"carModel": "Y"}},
                   {"contact": "r-1", "phone": "20123401", "region": "TN", "params": {"firstName": "Amine", "carModel": "208"}}
                 ]}
                """
            let started = try await client.call(.post, "/v1/campaigns", body, headers: h.headers(.backend))
            #expect(started.status == 202)
            #expect(started.headers[.location] == "/v1/campaigns/spring")
            var progress: [String: Any] = [:]
            for _ in 0..<200 {
                progress = try await client.call(.get, "/v1/campaigns/spring", headers: h.headers(.backend)).json
                if progress["state"] as? String == "done" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(progress["state"] as? String == "done")
            #expect(progress["rows"] as? Int == 6)
            #expect((progress["counts"] as? [String: Any])?["queued"] as? Int == 3)
            let refused = try #require(progress["refused"] as? [[String: Any]])
            #expect(refused.map { $0["index"] as? Int } == [5, 6])
            #expect((refused[0]["reason"] as? String)?.contains("firstName") == true)
            #expect((refused[1]["reason"] as? String)?.contains("already in this campaign") == true)
            // A number that cannot be a phone is decided (suppressed, with its reason), not refused.
            #expect(((progress["counts"] as? [String: Any])?["suppressed"] as? [String: Int])?["invalid_phone"] == 1)
            #expect(try h.count("SELECT COUNT(*) FROM message WHERE eventId = 'spring'") == 3)

            let again = try await client.call(.post, "/v1/campaigns", body, headers: h.headers(.backend))
            #expect(again.status == 409)
            let scheduled = try await client.call(
                .post, "/v1/campaigns", #"{"template": "appointment.reminder", "recipients": [{"contact": "x"}]}"#, headers: h.headers(.backend))
            #expect(scheduled.status == 422)
        }
    }
}

@Suite struct CampaignResumeTests {
    @Test func aCampaignCutShortResumesWhenTheServerStarts() async throws {
        let h = try ServerHarness()
        // A campaign stored as the server stores one, with two of its three rows decided before a stop.
        let recipients: [JSONValue] = (1...3).map { n in
            .object([
                "contact": .string("z-\(n)"), "phone": .string("2012340\(n)"), "region": .string("TN"),
                "params": .object(["firstName": .string("N\(n)"), "carModel": .string("208")]),
            ])
        }
        let event = Event(
            id: "cut", type: "campaign", occurredAt: h.now.value,
            data: .object(["template": .string("service.completed"), "params": .object(["carMake": .string("Peugeot")]), "recipients": .array(recipients)]))
        #expect(try await h.store.register(event, now: h.now.value))
        let planner = Planner(renderer: Renderer(catalog: h.settings.catalog), config: h.settings.policy)
        let rows = recipients.prefix(2).enumerated().map { RecipientRow(line: $0.offset + 1, json: $0.element, region: "ET") }
        let (template, now) = (h.settings.catalog.templates["service.completed"]!, h.now.value)
        let batch = try await h.store.planning { context in
            var seen = Set<String>()
            return try planner.planCampaign(
                rows, template: template, common: ["carMake": "Peugeot"], event: event, now: now, resumed: false,
                seen: &seen, context: context)
        }
        try await h.store.write(batch.plans, eventID: "cut", now: h.now.value)

        try await h.application().test(.router) { client in
            var progress: [String: Any] = [:]
            for _ in 0..<200 {
                progress = try await client.call(.get, "/v1/campaigns/cut", headers: h.headers(.staff)).json
                if progress["state"] as? String == "done" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(progress["state"] as? String == "done")
            #expect((progress["counts"] as? [String: Any])?["queued"] as? Int == 3)
        }
        // Each person got one message: the rows decided before the stop were skipped.
        #expect(try h.count("SELECT COUNT(*) FROM message WHERE eventId = 'cut'") == 3)
        #expect(try h.count("SELECT COUNT(DISTINCT contactId) FROM message WHERE eventId = 'cut'") == 3)
    }

    /// A person's story through the API: each preference change with the path it came through (a key, by name),
    /// and the event it stopped; a window that ends before it begins is refused.
    @Test func aPersonsHistoryTellsWhoChangedWhatAndWhatItStopped() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let posted = try await client.call(.post, "/v1/events", assigned(id: "story-1"), headers: h.headers(.backend))
            #expect(posted.status == 201, "\(posted.text)")
            let put = try await client.call(.put, "/v1/contacts/u-17/preferences", #"{"optedOutAll": true}"#, headers: h.headers(.staff))
            #expect(put.status == 200, "\(put.text)")
            let story = try await client.call(.get, "/v1/contacts/u-17/history?since=24h", headers: h.headers(.staff))
            #expect(story.status == 200, "\(story.text)")
            let changes = try #require(story.json["preferenceChanges"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect((changes.first?["source"] as? String)?.hasPrefix("API, key ") == true, "\(changes)")
            #expect(changes.first?["changes"] as? [String] == ["opted out of every message"])
            let events = try #require(story.json["events"] as? [[String: Any]])
            #expect(events.first?["event"] as? String == "story-1")
            let backwards = try await client.call(.get, "/v1/contacts/u-17/history?since=1h&until=2h", headers: h.headers(.staff))
            #expect(backwards.status == 422, "\(backwards.text)")
            #expect(try await client.call(.get, "/v1/contacts/u-17/history", headers: h.headers(.backend)).status == 403)
        }
    }
}
