import Foundation
import Testing

/// `herald event`, `explain`, `contact`, `messages` on a real SQLite file, each run a separate process.
@Suite(.serialized) struct EventCLITests {
    let db = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cli-\(UUID().uuidString).sqlite").path
    let now = "2026-11-23T14:00:00Z"

    func herald(_ arguments: [String], stdin: String? = nil, env: [String: String] = [:]) async throws -> CLI.Result {
        try await CLI.run(arguments + ["--db", db], stdin: stdin, env: env)
    }

    @Test func aSeedEventThroughEventAndExplain() async throws {
        let r = try await herald(["event", "Examples/events/case.assigned.json", "--now", now])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            crm-evt-1001 case.assigned
              u-17 (assignee, case.assigned): send: to +251 9• ••• ••67 in am, 2 segments [message 1]

            """)
        // Another process reads what the first one stored.
        let x = try await herald(["explain", "crm-evt-1001"])
        #expect(x.status == 0)
        #expect(x.stdout.contains("case.assigned: matched"))
        #expect(x.stdout.contains("u-17 (assignee) ← case.assigned: SEND"))
        #expect(x.stdout.contains("quiet_hours [pass]: 21:00-08:00 (deployment default) in Africa/Addis_Ababa; local time 2026-11-23 17:00 Mon: outside"))
        #expect(x.stdout.contains("ጉዳይ #CASE-001 ለእርስዎ ተመድቧል።"))
        #expect(!x.stdout.contains("0911234567") && !x.stdout.contains("911234567"))
        let json = try await herald(["explain", "crm-evt-1001", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let decisions = try #require(object["decisions"] as? [[String: Any]])
        #expect(decisions.first?["action"] as? String == "send")
        // The same event again: nothing new, the same decisions.
        let again = try await herald(["event", "Examples/events/case.assigned.json", "--now", now])
        #expect(again.stdout.contains("(already stored; nothing new)"))
        #expect(again.stdout.contains("[message 1]"))
    }

    @Test func jsonLinesWithABadLineStoreTheRestAndExitOne() async throws {
        let dir = CLI.root.appendingPathComponent("Examples/events")
        var lines: [String] = []
        for name in ["case.assigned.self.json", "case.escalated.json", "invoice.created.json"] {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self))
        }
        lines.insert(#"{"id": "bad-1", "type": "case.escalated", "occurredAt": "2026-11-23T10:00:00Z", "data": {"case": {}, "manager": {"id": "u-1"}}}"#, at: 1)
        let r = try await herald(["event", "-", "--json", "--now", now], stdin: lines.joined(separator: "\n") + "\n")
        #expect(r.status == 1)
        let objects = r.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 4)
        let error = try #require(objects[1]?["error"] as? [String: Any])
        #expect(error["field"] as? String == "data.case.number" && error["code"] as? String == "missing_field")
        #expect(objects[1]?["line"] as? Int == 2)
        #expect(r.stderr.contains("4 events: 3 stored, 0 already stored, 1 refused"))
        #expect(r.stderr.contains("self_action 1"))
        let explain = try await herald(["explain", "bad-1"])
        #expect(explain.status == 1 && explain.stderr.contains("no event 'bad-1'"))
        let messages = try await herald(["messages", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 2)
    }

    /// A file read in batches, the next one read while the current one is stored: every line answered in order,
    /// a broken first line reported on its own, and the rest stored.
    @Test func aFileInManyBatchesAnswersEveryLineInOrder() async throws {
        var lines = [#"{"id": "broken", "type": "case.resolved""#]
        for n in 0..<25 {
            if n % 7 == 3 {
                lines.append(#"{"id": "bad-\#(n)", "type": "case.resolved", "data": {"case": {}}}"#)
            } else {
                lines.append(#"{"id": "ok-\#(n)", "type": "case.resolved", "data": {"case": {"number": "C-\#(n)"}, "customer": {"id": "c-\#(n)", "phone": "+2519115501\#(String(format: "%02d", n))"}}}"#)
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("herald-lines-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try await herald(["event", file.path, "--json", "--batch", "4", "--now", now])
        #expect(r.status == 1)
        let objects = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.map { $0["line"] as? Int } == Array(1...26))
        #expect((objects[0]["error"] as? [String: Any])?["code"] as? String == "malformed_json")
        #expect(objects.filter { $0["error"] != nil }.count == 1 + 4)
        #expect(objects[1]["event"] as? String == "ok-0")
        #expect(r.stderr.contains("26 events: 21 stored, 0 already stored, 5 refused"), "\(r.stderr)")
    }

    @Test func preferencesSetFromTheCLIDecide() async throws {
        let set = try await herald(["contact", "set", "ecar-c-42", "--language", "en", "--opt-out", "billing", "--quiet-hours", "off"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("language:    en (the contact's choice)"))
        for (language, hint) in [("amharic", "(did you mean am?); languages: am, en, fr"), ("de", "no messages in 'de'; languages: am, en, fr")] {
            let refused = try await herald(["contact", "set", "ecar-c-42", "--language", language])
            #expect(refused.status == 1 && refused.stderr.contains(hint), "\(refused.stderr)")
        }
        let badCategory = try await herald(["contact", "set", "ecar-c-42", "--opt-out", "biling"])
        #expect(badCategory.status == 1 && badCategory.stderr.contains("did you mean 'billing'?"))
        let badPhone = try await herald(["contact", "set", "ecar-c-42", "--phone", "12345", "--region", "TN"])
        #expect(badPhone.status == 1 && badPhone.stderr.contains("too_short"))

        let invoice = try await herald(["event", "Examples/events/invoice.created.json", "--now", now])
        #expect(invoice.stdout.contains("suppress opted_out: opted out of billing"))
        let service = try await herald(["event", "Examples/events/service.completed.json", "--now", now])
        #expect(service.stdout.contains("send: to +216 2• ••• •56 in en"))
        let show = try await herald(["contact", "show", "ecar-c-42", "--json", "--show-phone"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["phone"] as? String == "+21620123456")
        #expect(object["language"] as? String == "en")
        #expect(object["optedOutCategories"] as? [String] == ["billing"])
        #expect(object["quietHours"] as? String == "off")
        #expect(object["quietHoursSource"] as? String == "contact")
        #expect(object["languageSource"] as? String == "contact")
    }

    @Test func theServersTimeZoneDoesNotMatter() async throws {
        // 21:30 in Addis Ababa is quiet for the recipient, whatever zone the server runs in.
        var outputs: [String] = []
        for zone in ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"] {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tz-\(UUID().uuidString).sqlite").path
            let r = try await CLI.run(
                ["event", "Examples/events/case.assigned.json", "--now", "2026-11-23T21:30:00+03:00", "--db", file],
                env: ["TZ": zone])
            outputs.append(r.stdout)
        }
        #expect(outputs[0].contains("defer: quiet hours until 2026-11-24 08:00 Tue Africa/Addis_Ababa"))
        #expect(Set(outputs).count == 1)
    }

    @Test func unreadableInputAndBadFlags() async throws {
        let missing = try await herald(["event", "no-such-file.json"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read no-such-file.json"))
        let quiet = try await herald(["event", "Examples/events/case.assigned.json", "--quiet-hours", "9pm-8am"])
        #expect(quiet.status == 1 && quiet.stderr.contains("quiet hours '9pm-8am'"))
        let malformed = try await herald(["event", "-"], stdin: "{\"id\": \"x\",")
        #expect(malformed.status == 1 && malformed.stdout.contains("not valid JSON"))
    }
}
