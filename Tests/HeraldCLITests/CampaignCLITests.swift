import Foundation
import Testing

/// `herald campaign`, `stats`, `dlr` and `send` through the built binary on a real SQLite file.
@Suite(.serialized) struct CampaignCLITests {
    let zones = ["Africa/Tunis", "America/New_York", "Africa/Addis_Ababa", "Europe/London"]
    let now = "2026-11-23T20:30:00Z"

    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("herald-\(UUID().uuidString)-\(name)").path
    }

    /// A dry run decides every row, names the refused ones by line, counts by locale and encoding, and stores
    /// nothing; a `name` column describes the person and is never taken for a parameter.
    @Test func aDryRunDecidesEveryRowAndStoresNothing() async throws {
        let db = temp("dry.sqlite")
        #expect(try await CLI.run(["contact", "set", "c-2", "--opt-out", "service", "--db", db, "--now", now]).status == 0)
        let csv = temp("dry.csv")
        try """
            contact,phone,language,timeZone,name,firstName,carModel
            c-1,+21620123456,fr,America/New_York,Amine B.,Amine,208
            c-2,+251911234567,am,Africa/Addis_Ababa,Abebe,አበበ,Corolla
            c-3,+447700900123,am,America/New_York,Sam,ሳም,Clio
            c-4,+447700900124,en,America/New_York,Kim,Kim

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try await CLI.run(["campaign", "service.completed", "--recipients", csv, "--param", "carMake=Peugeot", "--dry-run",
                             "--db", db, "--now", now, "--json"])
        #expect(r.status == 1, "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["dryRun"] as? Bool == true)
        #expect(summary["queued"] as? Int == 2)
        #expect((summary["suppressed"] as? [String: Int])?["opted_out"] == 1)
        #expect(summary["byLocale"] as? [String: Int] == ["fr": 1, "am": 1])
        #expect(summary["byEncoding"] as? [String: Int] == ["GSM-7": 1, "UCS-2": 1])
        #expect(summary["refused"] as? Int == 1)
        #expect(r.stderr.contains("dry.csv:5: 6 fields; the header has 7"), "\(r.stderr)")
        // Nothing stored: no message, and the campaign can run for real afterwards.
        let messages = try await CLI.run(["messages", "--json", "--db", db])
        #expect((try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as? [Any])?.isEmpty == true, "\(messages.stdout)")
        let real = try await CLI.run(["campaign", "service.completed", "--recipients", csv, "--param", "carMake=Peugeot",
                                "--db", db, "--now", now, "--json"])
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
        #expect(stored["queued"] as? Int == 2 && stored["resumed"] as? Bool == false)
    }

    @Test func aCampaignOfTenThousandGivesTheExactCounts() async throws {
        let db = temp("campaign.sqlite")
        // Opt-outs and quiet hours chosen by people before the campaign.
        let optedOutAll = [1, 2, 3, 4], optedOutBilling = [5, 6, 7], quietOff = [8, 12], optedOutService = [10]
        for i in optedOutAll { #expect(try await CLI.run(["contact", "set", "k-\(i)", "--opt-out", "all", "--db", db, "--now", now]).status == 0) }
        for i in optedOutBilling { #expect(try await CLI.run(["contact", "set", "k-\(i)", "--opt-out", "billing", "--db", db, "--now", now]).status == 0) }
        for i in optedOutService { #expect(try await CLI.run(["contact", "set", "k-\(i)", "--opt-out", "service", "--db", db, "--now", now]).status == 0) }
        for i in quietOff { #expect(try await CLI.run(["contact", "set", "k-\(i)", "--quiet-hours", "off", "--db", db, "--now", now]).status == 0) }

        // 20:30Z: 21:30 in Tunis and 23:30 in Addis Ababa (quiet), 15:30 in New York and 20:30 in London (not).
        var csv = "contact,phone,language,timeZone,firstName,invoiceNumber,total\n"
        var expected = (queued: 0, deferred: 0, optedOut: 0, invalidPhone: 0, noPhone: 0)
        for i in 0..<10_000 {
            let zone = zones[i % 4]
            var phone = String(format: "+2519%08d", i)
            if i % 250 == 7 { phone = "12345" }
            if i % 500 == 11 { phone = "" }
            csv += "k-\(i),\(phone),\(["fr", "en", "am"][i % 3]),\(zone),Name \(i),F-\(i),\(i % 1000).5\n"
            if optedOutAll.contains(i) || optedOutBilling.contains(i) {
                expected.optedOut += 1
            } else if phone == "12345" {
                expected.invalidPhone += 1
            } else if phone.isEmpty {
                expected.noPhone += 1
            } else if i % 2 == 0 && !quietOff.contains(i) {
                expected.deferred += 1
            } else {
                expected.queued += 1
            }
        }
        // A repeated contact, a short row, and a row without contact or phone are refused by line.
        csv += "k-42,+251900000042,fr,Africa/Tunis,Again,F-x,1\n"
        csv += "k-x,+251900000099\n"
        csv += ",,fr,Africa/Tunis,Nobody,F-y,1\n"
        let file = temp("recipients.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)

        let r = try await CLI.run([
            "campaign", "invoice.created", "--recipients", file, "--param", "carMake=Peugeot", "--param", "carModel=208",
            "--id", "black-friday", "--db", db, "--now", now, "--json",
        ])
        #expect(r.status == 1, "refused rows give exit status 1")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["rows"] as? Int == 10_003)
        #expect(summary["queued"] as? Int == expected.queued)
        #expect(summary["deferred"] as? Int == expected.deferred)
        let suppressed = summary["suppressed"] as? [String: Int]
        #expect(suppressed == ["opted_out": expected.optedOut, "invalid_phone": expected.invalidPhone, "no_phone": expected.noPhone])
        #expect(summary["refused"] as? Int == 3)
        let counts: [Int] = [expected.queued, expected.deferred, expected.optedOut, expected.invalidPhone, expected.noPhone]
        #expect(counts == [4_939, 4_995, 7, 39, 20])
        let lines = recipientsLines(r.stderr)
        #expect(lines.contains { $0.hasSuffix(":10002: contact k-42 is already in this campaign; the row is skipped") })
        #expect(lines.contains { $0.hasSuffix(":10003: 2 fields; the header has 7") })
        #expect(lines.contains { $0.hasSuffix(":10004: contact: missing (and no phone to key the row by)") })

        // The same campaign again resumes: everything is already decided, nothing new is stored.
        let again = try await CLI.run([
            "campaign", "invoice.created", "--recipients", file, "--param", "carMake=Peugeot", "--param", "carModel=208",
            "--id", "black-friday", "--db", db, "--now", now, "--json",
        ])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(second["resumed"] as? Bool == true)
        #expect(second["skipped"] as? Int == 10_000 && second["queued"] as? Int == 0)

        // One person's story, and the statistics.
        let story = try await CLI.run(["explain", "black-friday", "--contact", "k-1", "--db", db])
        #expect(story.stdout.contains("opted out of all messages"), "\(story.stdout)")
        let stats = try await CLI.run(["stats", "--json", "--db", db, "--now", now])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let statistics = try #require(body["statistics"] as? [String: Any])
        #expect(statistics["messages"] as? Int == expected.queued + expected.deferred)
        #expect(statistics["byStatus"] as? [String: Int] == ["queued": expected.queued, "deferred": expected.deferred])
    }

    func recipientsLines(_ stderr: String) -> [String] { stderr.split(separator: "\n").map(String.init) }

    @Test func sendDeliversThroughTheLogSenderAndReportsComeBack() async throws {
        let db = temp("send.sqlite")
        let log = temp("sms.jsonl")
        let r = try await CLI.run(["send", "--to", "0911234567", "--text", "Test message", "--db", db, "--sms-log", log])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("number       0911234567 → +251 9"))
        #expect(r.stdout.contains("text         GSM-7, 1 segment (12 units)"))
        #expect(r.stdout.contains("accepted, provider id log-1"))
        #expect(r.stdout.contains("result       message 1: sent"))
        let line = try String(contentsOfFile: log, encoding: .utf8)
        #expect(line.contains("\"to\":\"+251911234567\"") && line.contains("\"text\":\"Test message\""))

        let listed = try await CLI.run(["messages", "--db", db])
        #expect(listed.stdout.contains("→ +251 9• ••• ••67 +251 9• ••• ••67"), "the phone-keyed contact is masked too")
        #expect(!listed.stdout.contains("911234567"))
        #expect(listed.stdout.contains("1 attempt, provider id log-1"))

        let report = try await CLI.run(["dlr", "--reference", "log-1", "--status", "delivered", "--db", db])
        #expect(report.stdout == "log-1: message 1 sent → delivered\n")
        let unknown = try await CLI.run(["dlr", "-", "--db", db], stdin: "{\"reference\": \"nope\", \"status\": \"failed\"}\nnot json\n")
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("nope: unknown reference; the report is kept, no message changed"))
        #expect(unknown.stderr.contains("-:2: not a JSON object"))

        let stats = try await CLI.run(["stats", "--db", db])
        #expect(stats.stdout.contains("messages: 1 (1 segments)"))
        #expect(stats.stdout.contains("by status: delivered 1"))
        #expect(stats.stdout.contains("success: 100.00% (1 sent or delivered)  failure: 0.00% (0 failed or expired)"))
    }

    @Test func sendingSwitchedOffHoldsTheMessage() async throws {
        let db = temp("off.sqlite")
        let r = try await CLI.run(["send", "--to", "+216 20 123 456", "--text", "Bonjour", "--db", db, "--sms-log", temp("x.jsonl")],
                            env: ["HERALD_SMS_ENABLED": "false"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("message 1: disabled (held; sent when HERALD_SMS_ENABLED is true again"))
        let later = try await CLI.run(["worker", "--drain", "--db", db, "--sms-log", temp("y.jsonl")])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.contains("done: 1 sent"))
    }

    @Test func badSenderSettingsAreRefusedBeforeAnythingIsStored() async throws {
        let db = temp("bad.sqlite")
        let r = try await CLI.run(["send", "--to", "0911234567", "--text", "x", "--db", db, "--sender", "http"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("the http sender needs --sms-url or $HERALD_SMS_URL"))
        let bad = try await CLI.run(["send", "--to", "12", "--text", "x", "--db", db])
        #expect(bad.stderr.contains("--to '12'"))
        let listed = try await CLI.run(["messages", "--db", db])
        #expect(listed.stdout.contains("no messages"))
    }
}
