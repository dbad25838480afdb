import Foundation
import GRDB
import HeraldCore
import HeraldDelivery
import HeraldTestSupport
import Testing

/// No SMS is handed to a provider unless, at that moment, the person's current preferences allow it: the worker
/// reviews each message as it claims it, and every preference change reviews what waits, in its own transaction.
@Suite struct ConsentTests {
    let catalog = Catalog.load(
        templates: packageRoot.appendingPathComponent("Templates").path,
        locales: packageRoot.appendingPathComponent("Locales").path)
    let policy = PolicyConfig()

    /// A `service.completed` for c-42 in Tunis (UTC+1), planned at `now`: returns its message id.
    func plan(_ outbox: Outbox, id: String = "svc", at now: String) async throws -> Int64 {
        let json = """
            {"id": "\(id)", "type": "service.completed",
             "data": {"service": {"id": "S-1"}, "car": {"make": "Peugeot", "model": "208"},
                      "customer": {"id": "c-42", "phone": "20 123 456", "region": "TN", "firstName": "Amine",
                                   "language": "fr", "timeZone": "Africa/Tunis"}}}
            """
        let event = try Event.parse(Data(json.utf8), catalog: catalog)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: policy)
        let result = try await outbox.store.ingest([event], planner: planner, now: ms(now))[0].get()
        return try #require(result.decisions.first?.messageID)
    }

    func logSender() throws -> (LogSender, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        return (try LogSender(path: path), path)
    }

    func sentLines(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// The issue's case: deferred by quiet hours at 21:30, opted out at 22:00, the worker at 08:30 sends nothing.
    @Test(arguments: StoreKind.available) func anOptOutWhileAMessageWaitsInQuietHoursCancelsIt(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let id = try await plan(outbox, at: "2026-11-23T21:30:00Z")
        #expect(try await outbox.status(id) == "deferred")
        let (_, changes) = try await outbox.store.updateContact(id: "c-42", now: ms("2026-11-23T22:00:00Z"), policy: policy, source: "test") {
            $0.optedOutAll = true
        }
        #expect(changes.cancelled == 1)
        let m = try #require(try await outbox.store.message(id: id))
        #expect(m.status == .cancelled)
        #expect(m.reason == .optedOut)
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        #expect(try await worker.pass(now: ms("2026-11-24T08:30:00Z")).claimed == 0)
        await sender.shutdown()
        #expect(sentLines(path) == 0)
    }

    /// A preference written around the preference path (an import straight into the database) is still honoured:
    /// the claim itself looks again.
    @Test(arguments: StoreKind.available) func theClaimLooksAgainWhateverChangedThePreference(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let queued = try await plan(outbox, id: "a", at: "2026-11-23T10:00:00Z")
        #expect(try await outbox.status(queued) == "queued")
        try await outbox.execute(
            sqlite: "UPDATE contact SET optedOutCategories = 'service' WHERE id = 'c-42'",
            postgres: "UPDATE contact SET opted_out_categories = 'service' WHERE id = 'c-42'")
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        let summary = try await worker.pass(now: ms("2026-11-23T10:00:01Z"))
        await sender.shutdown()
        #expect(summary.claimed == 0)
        #expect(sentLines(path) == 0)
        let m = try #require(try await outbox.store.message(id: queued))
        #expect(m.status == .cancelled)
        #expect(m.reason == .optedOut)
        #expect(m.lastError?.contains("opted out of service") == true)
    }

    /// Quiet hours as they are at hand-over, in the person's current zone; the number they have now.
    @Test(arguments: StoreKind.available) func quietHoursAndTheNumberAreTheCurrentOnes(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let id = try await plan(outbox, at: "2026-11-23T10:00:00Z")
        // Written around the preference path: the claim finds 11:00 in Tunis inside the new window.
        try await outbox.execute(
            sqlite: "UPDATE contact SET quietHours = '10:30-12:00', phone = '+21620999888' WHERE id = 'c-42'",
            postgres: "UPDATE contact SET quiet_hours = '10:30-12:00', phone = '+21620999888' WHERE id = 'c-42'")
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        #expect(try await worker.pass(now: ms("2026-11-23T10:00:00Z")).claimed == 0)
        var m = try #require(try await outbox.store.message(id: id))
        #expect(m.status == .deferred)
        #expect(m.reason == .quietHours)
        #expect(m.dueAt.iso8601 == "2026-11-23T11:00:00Z")
        #expect(try await worker.pass(now: ms("2026-11-23T11:00:00Z")).sent == 1)
        await sender.shutdown()
        m = try #require(try await outbox.store.message(id: id))
        #expect(m.phone == "+21620999888")
        let line = try JSONValue.parse(Array(String(contentsOfFile: path, encoding: .utf8).utf8))
        #expect(line["to"]?.text == "+21620999888")
    }

    /// Turning quiet hours off releases what they held; turning them on holds what waits.
    @Test(arguments: StoreKind.available) func quietHoursChangesApplyToWhatWaits(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let night = try await plan(outbox, id: "night", at: "2026-11-23T21:30:00Z")
        #expect(try await outbox.store.message(id: night)?.dueAt.iso8601 == "2026-11-24T07:00:00Z")
        var (_, changes) = try await outbox.store.updateContact(id: "c-42", now: ms("2026-11-23T22:00:00Z"), policy: policy, source: "test") {
            $0.quietHours = "off"
        }
        #expect(changes.released == 1)
        var m = try #require(try await outbox.store.message(id: night))
        #expect(m.status == .queued)
        #expect(m.dueAt.iso8601 == "2026-11-23T22:00:00Z")
        (_, changes) = try await outbox.store.updateContact(id: "c-42", now: ms("2026-11-23T22:05:00Z"), policy: policy, source: "test") {
            $0.quietHours = "22:00-09:00"
        }
        #expect(changes.deferred == 1)
        m = try #require(try await outbox.store.message(id: night))
        #expect(m.status == .deferred)
        #expect(m.reason == .quietHours)
        #expect(m.dueAt.iso8601 == "2026-11-24T08:00:00Z")
    }

    /// The provider fails, the person opts out while the attempt is in flight: the retry never goes.
    @Test(arguments: StoreKind.available) func anOptOutDuringAFailingAttemptStopsItsRetry(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let id = try await plan(outbox, at: "2026-11-23T10:00:00Z")
        let store = outbox.store
        let policy = policy
        let provider = try await ScriptedProvider { _, _ in
            _ = try? await store.updateContact(id: "c-42", now: ms("2026-11-23T10:00:00.500Z"), policy: policy, source: "test") {
                $0.optedOutAll = true
            }
            return .status(500, #"{"error":"busy"}"#)
        }
        defer { provider.stop() }
        let sender = HTTPSender(config: HTTPSenderConfig(url: provider.url, method: .post, idPath: "id"), connections: 2)
        let worker = Worker(
            store: store, sender: sender, config: WorkerConfig(backoffBase: 1_000), policy: policy, random: { 0 })
        let first = try await worker.pass(now: ms("2026-11-23T10:00:00Z"))
        #expect(first.retry == 1)
        let m = try #require(try await store.message(id: id))
        #expect(m.status == .cancelled)
        #expect(m.reason == .optedOut)
        let later = try await worker.pass(now: ms("2026-11-23T11:00:00Z"))
        await sender.shutdown()
        #expect(later.claimed == 0)
        #expect(provider.requests.count == 1)
        #expect(try await store.attempts(message: id).count == 1)
    }

    /// A waiting retry is cancelled by the opt-out itself.
    @Test(arguments: StoreKind.available) func anOptOutCancelsAWaitingRetry(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let id = try await plan(outbox, at: "2026-11-23T10:00:00Z")
        let claimed = try await outbox.store.claim(now: ms("2026-11-23T10:00:00Z"), limit: 10, lease: 60_000, policy: policy)
        #expect(claimed.map(\.id) == [id])
        try await outbox.store.record(
            [AttemptRecord(
                messageID: id, number: 1, sender: "test", startedAt: Instant(ms: ms("2026-11-23T10:00:00Z")), latencyMs: 5,
                outcome: .transient, error: "HTTP 500", result: .retry, nextAt: Instant(ms: ms("2026-11-23T10:00:02Z")))],
            now: ms("2026-11-23T10:00:00Z"), policy: policy)
        #expect(try await outbox.status(id) == "retry")
        let (_, changes) = try await outbox.store.updateContact(id: "c-42", now: ms("2026-11-23T10:00:01Z"), policy: policy, source: "test") {
            $0.optedOutCategories = ["service"]
        }
        #expect(changes.cancelled == 1)
        #expect(try await outbox.status(id) == "cancelled")
    }

    /// The worker runs while the person opts out: nothing is claimed for them after the opt-out commits. What a
    /// claim took before it may still go; every other message is cancelled.
    @Test(arguments: StoreKind.available) func theWorkerRunningConcurrentlyClaimsNothingAfterTheOptOut(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let store = outbox.store
        let now = ms("2026-11-23T10:00:00Z")
        try await store.updateContact(id: "c-9", now: 0, policy: policy, source: "test") { $0.phone = "+251911234567" }
        let event = Event(id: "many", type: "herald.send", occurredAt: now, data: .object([:]))
        try await store.register(event, now: now)
        var ids: [Int64] = []
        for _ in 0..<120 {
            ids.append(try await store.queue(
                RawMessage(
                    eventID: "many", contact: "c-9", phone: "+251911234567", text: "hello", locale: "en",
                    encoding: "GSM-7", units: 5, segments: 1, expiresAt: now + 3_600_000),
                now: now))
        }
        let provider = try await ScriptedProvider { key, _ in .ok(key) }
        defer { provider.stop() }
        let sender = HTTPSender(config: HTTPSenderConfig(url: provider.url, method: .post, idPath: "id"), connections: 2)
        var config = WorkerConfig(concurrency: 2)
        config.batch = 4
        let worker = Worker(store: store, sender: sender, config: config, policy: policy)
        let running = Task { try await worker.run(clock: { now }, poll: 0.01) { $0.claimed == 0 } }
        var waited = 0
        while provider.requests.count < 20 && waited < 2_000 {
            try await Task.sleep(for: .milliseconds(2))
            waited += 1
        }
        try await store.updateContact(id: "c-9", now: now, policy: policy, source: "test") { $0.optedOutAll = true }
        // Claimed before the opt-out: every message with an attempt counted now. Any later claim would be reviewed
        // and cancelled, so this set can only shrink from here.
        let claimedBefore = Set(try await store.messages(MessageFilter(limit: 1_000)).filter { $0.attempts > 0 }.map(\.id))
        try await running.value
        await sender.shutdown()
        #expect(claimedBefore.count >= 20 && claimedBefore.count < ids.count)
        let keys = Set(provider.requests.map(\.key))
        let allowed = Set(claimedBefore.map { "herald-\(store.instance)-\($0)" })
        #expect(keys.isSubset(of: allowed))
        let statuses = try await store.messageCounts()
        #expect(statuses["cancelled", default: 0] == ids.count - claimedBefore.count)
        #expect(statuses["sent", default: 0] == claimedBefore.count)
    }

    /// The confirmation of a STOP is the one message that goes after an opt-out.
    @Test(arguments: StoreKind.available) func aKeywordReplyGoesToThePersonWhoJustOptedOut(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        try await outbox.store.updateContact(id: "c-1", now: now, policy: policy, source: "test") {
            $0.phone = "+251911234567"
            $0.optedOutAll = true
        }
        let event = Event(id: "in-1", type: "inbound", occurredAt: now, data: .object([:]))
        try await outbox.store.register(event, now: now)
        let reply = try await outbox.store.queue(
            RawMessage(
                eventID: "in-1", contact: "c-1", phone: "+251911234567", text: "You will get no more SMS", locale: "en",
                encoding: "GSM-7", units: 24, segments: 1, expiresAt: now + 3_600_000, category: Consent.keywordReply),
            now: now)
        let direct = try await outbox.store.queue(
            RawMessage(
                eventID: "in-1", contact: "c-1", phone: "+251911234567", text: "Hello", locale: "en",
                encoding: "GSM-7", units: 5, segments: 1, expiresAt: now + 3_600_000),
            now: now)
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        #expect(try await worker.pass(now: now).sent == 1)
        await sender.shutdown()
        #expect(try await outbox.status(reply) == "sent")
        #expect(try await outbox.status(direct) == "cancelled")
        #expect(sentLines(path) == 1)
    }
}
