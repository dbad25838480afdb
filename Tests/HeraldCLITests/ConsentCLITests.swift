import Foundation
import Testing

/// Consent through the CLI, each step a separate process on one SQLite file: an opt-out made with
/// `herald contact set` stops what was waiting, and `herald worker` sends nothing to the person.
@Suite(.serialized) struct ConsentCLITests {
    let db = FileManager.default.temporaryDirectory.appendingPathComponent("herald-consent-\(UUID().uuidString).sqlite").path
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("herald-consent-\(UUID().uuidString).jsonl").path

    func herald(_ arguments: [String]) async throws -> CLI.Result {
        try await CLI.run(arguments + ["--db", db])
    }

    /// An invoice at 21:30 (Tunis, UTC+1: 22:30 local) waits for the end of quiet hours.
    let invoice = """
        {"id": "inv-night", "type": "invoice.created",
         "data": {"invoice": {"number": "F-1", "total": "1234.500"}, "car": {"make": "Peugeot", "model": "208"},
                  "customer": {"id": "ecar-c-42", "phone": "+21620123456", "region": "TN", "firstName": "Amine",
                               "language": "fr", "timeZone": "Africa/Tunis"}}}
        """

    @Test func anOptOutMadeWithContactSetStopsTheDeferredInvoice() async throws {
        let event = try await CLI.run(["event", "-", "--db", db, "--now", "2026-11-23T21:30:00Z"], stdin: invoice)
        #expect(event.status == 0, "\(event.stderr)")
        #expect(event.stdout.contains("defer"))
        let set = try await herald(["contact", "set", "ecar-c-42", "--opt-out", "all", "--now", "2026-11-23T22:00:00Z"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("waiting:     1 cancelled"))
        let worker = try await herald(["worker", "--drain", "--now", "2026-11-24T08:30:00Z", "--sms-log", log, "--json"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(worker.stdout.utf8)) as? [String: Any])
        #expect(summary["sent"] as? Int == 0)
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").isEmpty)
        let messages = try await herald(["messages", "--contact", "ecar-c-42"])
        #expect(messages.stdout.contains("cancelled (opted_out) invoice.created"), "\(messages.stdout)")
        let explain = try await herald(["explain", "inv-night"])
        #expect(explain.stdout.contains("cancelled (opted_out)"), "\(explain.stdout)")
        #expect(explain.stdout.contains("no occurredAt given: taken as received"))
    }

    @Test func quietHoursTurnedOffReleaseTheWaitingInvoice() async throws {
        _ = try await CLI.run(["event", "-", "--db", db, "--now", "2026-11-23T21:30:00Z"], stdin: invoice)
        let set = try await herald(["contact", "set", "ecar-c-42", "--quiet-hours", "off", "--now", "2026-11-23T21:40:00Z"])
        #expect(set.stdout.contains("waiting:     1 due sooner"), "\(set.stdout)")
        let worker = try await herald(["worker", "--drain", "--now", "2026-11-23T21:41:00Z", "--sms-log", log, "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(worker.stdout.utf8)) as? [String: Any])
        #expect(summary["sent"] as? Int == 1, "\(worker.stdout) \(worker.stderr)")
    }

    /// "Why didn't X get an SMS yesterday?" in one command: the opt-out (when, and through which path) and the
    /// event it stopped, inside the window asked for and not outside it.
    @Test func thePersonsStoryShowsTheOptOutAndTheEventItStopped() async throws {
        _ = try await CLI.run(["event", "-", "--db", db, "--now", "2026-11-23T21:30:00Z"], stdin: invoice)
        _ = try await herald(["contact", "set", "ecar-c-42", "--opt-out", "all", "--now", "2026-11-23T22:00:00Z"])
        let story = try await herald(["explain", "--contact", "ecar-c-42", "--since", "24h", "--now", "2026-11-24T09:00:00Z"])
        #expect(story.status == 0, "\(story.stderr)")
        #expect(story.stdout.contains("2026-11-23T22:00:00Z by herald contact set: opted out of every message"), "\(story.stdout)")
        #expect(story.stdout.contains("event inv-night (invoice.created)"))
        #expect(story.stdout.contains("cancelled (opted_out)"))
        let json = try await herald(["explain", "--contact", "ecar-c-42", "--since", "24h", "--now", "2026-11-24T09:00:00Z", "--json"])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((parsed["preferenceChanges"] as? [Any])?.count == 1)
        #expect((parsed["events"] as? [Any])?.count == 1)
        let later = try await herald(["explain", "--contact", "ecar-c-42", "--since", "1h", "--now", "2026-11-24T09:00:00Z"])
        #expect(later.stdout.contains("preference changes: none in this window"), "\(later.stdout)")
        #expect(later.stdout.contains("events: none in this window"))
        let wrong = try await herald(["explain", "--contact", "ecar-c-42", "--since", "yesterday"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("--since: 'yesterday' is neither an ISO 8601 date-time"), "\(wrong.stderr)")
    }

    /// `--since` and `--until` on every listing, read one way.
    @Test func listingsTakeATimeWindow() async throws {
        _ = try await CLI.run(["event", "-", "--db", db, "--now", "2026-11-23T21:30:00Z"], stdin: invoice)
        let inside = try await herald(["messages", "--since", "2026-11-23T21:00:00Z", "--until", "2026-11-23T22:00:00Z"])
        #expect(inside.stdout.contains("1 shown"), "\(inside.stdout)")
        let before = try await herald(["messages", "--until", "2026-11-23T21:00:00Z"])
        #expect(before.stdout.contains("no messages"), "\(before.stdout)")
        let stats = try await herald(["stats", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-23T21:00:00Z"])
        #expect(stats.stdout.contains("messages: 0"), "\(stats.stdout)")
        let backwards = try await herald(["stats", "--since", "1h", "--until", "2h"])
        #expect(backwards.status == 1)
        #expect(backwards.stderr.contains("--until: the window ends (until) before it begins (since)"), "\(backwards.stderr)")
    }

    /// A drain that leaves a message failed or expired says so in its exit status.
    @Test func aDrainWithAnExpiredMessageExitsWithOne() async throws {
        _ = try await CLI.run(["event", "-", "--db", db, "--now", "2026-11-23T21:30:00Z"], stdin: invoice)
        let worker = try await herald(["worker", "--drain", "--now", "2026-12-20T10:00:00Z", "--sms-log", log])
        #expect(worker.status == 1, "\(worker.stdout) \(worker.stderr)")
        #expect(worker.stdout.contains("1 expired"), "\(worker.stdout)")
    }
}
