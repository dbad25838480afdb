import Foundation
import GRDB
import HeraldCore
import HeraldDelivery
@testable import HeraldStore
import HeraldTestSupport
import Testing

/// The worker over the outbox with the injected clock: quiet hours, expiry, the kill switch, delivery reports and
/// claims left by a stopped worker. The log sender stands in for a provider where the provider does not matter.
@Suite struct OutboxTests {
    let catalog = Catalog.load(
        templates: packageRoot.appendingPathComponent("Templates").path,
        locales: packageRoot.appendingPathComponent("Locales").path)

    func logSender() throws -> (LogSender, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        return (try LogSender(path: path), path)
    }

    func lines(_ path: String) -> [JSONValue] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").compactMap {
            try? JSONValue.parse(Array($0.utf8))
        } ?? []
    }

    @Test(arguments: StoreKind.available) func aQuietHoursDeferralIsSentAtTheEndOfTheWindowNotBefore(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: PolicyConfig())
        let json = """
            {"id": "svc-night", "type": "service.completed", "occurredAt": "2026-11-23T22:30:00+01:00",
             "data": {"service": {"id": "S-1"}, "car": {"make": "Peugeot", "model": "208"},
                      "customer": {"id": "c-42", "phone": "20 123 456", "region": "TN", "firstName": "Amine",
                                   "language": "fr", "timeZone": "Africa/Tunis"}}}
            """
        let event = try Event.parse(Data(json.utf8), catalog: catalog)
        let result = try await outbox.store.ingest([event], planner: planner, now: ms("2026-11-23T21:30:00Z"))[0].get()
        let decision = try #require(result.decisions.first)
        #expect(decision.action == .defer)
        let id = try #require(decision.messageID)
        // 08:00 in Tunis (UTC+1) is 07:00Z.
        #expect(decision.dueAt == "2026-11-24T07:00:00Z")
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: PolicyConfig())
        #expect(try await worker.pass(now: ms("2026-11-24T06:59:59.999Z")).claimed == 0)
        #expect(try await outbox.status(id) == "deferred")
        #expect(try await worker.pass(now: ms("2026-11-24T07:00:00Z")).sent == 1)
        await sender.shutdown()
        #expect(try await outbox.status(id) == "sent")
        let sent = lines(path)
        #expect(sent.count == 1)
        #expect(sent.first?["to"]?.text == "+21620123456")
        #expect(sent.first?["text"]?.text?.hasPrefix("Bonjour Amine") == true)
        #expect(sent.first?["encoding"]?.text == "GSM-7")
    }

    @Test(arguments: StoreKind.available) func aMessagePastItsTimeToLiveEndsExpiredWithoutBeingSent(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let ids = try await outbox.add(2, now: now, ttl: 60_000)
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: PolicyConfig())
        let s = try await worker.pass(now: now + 60_000)
        await sender.shutdown()
        #expect(s.expired == 2 && s.sent == 0)
        for id in ids {
            let m = try await outbox.store.message(id: id)!
            #expect(m.status == .expired)
            #expect(m.lastError == "expired before it could be sent")
            #expect(m.finishedAt?.iso8601 == "2026-11-23T10:01:00Z")
        }
        #expect(lines(path).isEmpty)
    }

    @Test(arguments: StoreKind.available) func theKillSwitchHoldsMessagesAndReleasesThoseStillAlive(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let short = try await outbox.add(1, now: now, ttl: 10 * 60_000)[0]
        let long = try await outbox.add(1, now: now, ttl: 24 * 3_600_000)[0]
        let (sender, path) = try logSender()
        let off = Worker(store: outbox.store, sender: sender, config: WorkerConfig(enabled: false), policy: PolicyConfig())
        let held = try await off.pass(now: now)
        #expect(held.held == 2 && held.claimed == 0)
        #expect(try await outbox.status(short) == "disabled")
        #expect(try await outbox.status(long) == "disabled")
        #expect(lines(path).isEmpty)
        // Switched on an hour later: the 10-minute message is past its time to live, the other goes out.
        let on = Worker(store: outbox.store, sender: sender, config: WorkerConfig(enabled: true), policy: PolicyConfig())
        let s = try await on.pass(now: now + 3_600_000)
        await sender.shutdown()
        #expect(s.expired == 1 && s.sent == 1)
        #expect(try await outbox.status(short) == "expired")
        #expect(try await outbox.status(long) == "sent")
        #expect(lines(path).map { $0["id"]?.text } == ["\(long)"])
    }

    @Test(arguments: StoreKind.available) func deliveryReportsUpdateKnownMessagesAndKeepUnknownOnes(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let ids = try await outbox.add(2, now: now)
        let (sender, _) = try logSender()
        _ = try await Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: PolicyConfig()).pass(now: now)
        await sender.shutdown()
        // By the provider's id, and by Herald's idempotency key.
        let first = try await outbox.store.apply(DeliveryReport(reference: "log-\(ids[0])", status: .delivered), now: now + 5_000)
        #expect(first.messageID == ids[0] && first.previous == .sent && first.status == .delivered)
        let second = try await outbox.store.apply(
            DeliveryReport(reference: "herald-\(outbox.store.instance)-\(ids[1])", status: .failed, errorCode: "EC_ABSENT_SUBSCRIBER"), now: now + 6_000)
        #expect(second.messageID == ids[1] && second.status == .failed)
        let unknown = try await outbox.store.apply(DeliveryReport(reference: "prov-nope", status: .delivered), now: now + 7_000)
        #expect(unknown.messageID == nil)
        #expect(try await outbox.status(ids[0]) == "delivered")
        let failed = try await outbox.store.message(id: ids[1])!
        #expect(failed.status == .failed && failed.lastError == "provider reported failed: EC_ABSENT_SUBSCRIBER")
        let kept = try await outbox.rows(of: "report")
        #expect(kept == 3)
        let stats = try await outbox.store.statistics(since: nil)
        #expect(stats.byStatus == ["delivered": 1, "failed": 1])
        #expect(stats.deliveredRate == 0.5)
    }

    @Test(arguments: StoreKind.available) func statisticsByUTCDayAndLocale(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        // 23:30 in UTC is already the 24th in Addis Ababa: days are UTC days.
        _ = try await outbox.add(2, now: ms("2026-11-23T23:30:00Z"), text: "Two segments? No: one.")
        _ = try await outbox.add(1, now: ms("2026-11-24T00:30:00Z"))
        let stats = try await outbox.store.statistics(since: nil)
        #expect(stats.byDay == ["2026-11-23": ["queued": 2], "2026-11-24": ["queued": 1]])
        #expect(stats.segmentsByDay == ["2026-11-23": 2, "2026-11-24": 1])
        #expect(stats.byLocale == ["en": ["queued": 3]])
        let window = try await outbox.store.statistics(since: ms("2026-11-24T00:00:00Z"))
        #expect(window.byDay == ["2026-11-24": ["queued": 1]])
    }

    @Test(arguments: StoreKind.available) func aClaimLeftByAStoppedWorkerIsTakenAgainWhenItsLeaseRunsOut(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let id = try await outbox.add(now: now)[0]
        // A worker claimed it and stopped before recording anything.
        let claimed = try await outbox.store.claim(now: now, limit: 10, lease: 60_000, policy: PolicyConfig())
        #expect(claimed.map(\.id) == [id] && claimed[0].attempt == 1 && !claimed[0].reclaimed)
        let (sender, path) = try logSender()
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(lease: 60_000), policy: PolicyConfig())
        #expect(try await worker.pass(now: now + 59_999).claimed == 0, "the first claim still holds")
        let s = try await worker.pass(now: now + 60_000)
        await sender.shutdown()
        #expect(s.sent == 1 && s.reclaimed == 1)
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .sent && m.attempts == 2)
        #expect(lines(path).map { $0["idempotencyKey"]?.text } == ["herald-\(outbox.store.instance)-\(id)"])
    }

    @Test(arguments: StoreKind.available) func idempotencyKeysDifferBetweenDatabases(_ kind: StoreKind) async throws {
        let a = try await Outbox(kind), b = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        _ = try await a.add(now: now)
        _ = try await b.add(now: now)
        let ka = try await a.store.claim(now: now, limit: 1, lease: 1_000, policy: PolicyConfig())[0].idempotencyKey
        let kb = try await b.store.claim(now: now, limit: 1, lease: 1_000, policy: PolicyConfig())[0].idempotencyKey
        #expect(ka != kb, "message 1 of a new database is not a resend of another's message 1")
        #expect(try await b.store.apply(DeliveryReport(reference: ka, status: .delivered), now: now).messageID == nil)
        #expect(try await a.store.apply(DeliveryReport(reference: ka, status: .delivered), now: now).messageID == 1)
    }

    @Test func backoffDoublesWithJitterUpToTheCeiling() async throws {
        let outbox = try await Outbox()
        let (sender, _) = try logSender()
        let low = Worker(store: outbox.store, sender: sender, config: WorkerConfig(backoffBase: 2_000, backoffMax: 10_000), policy: PolicyConfig(), random: { 0 })
        let high = Worker(store: outbox.store, sender: sender, config: WorkerConfig(backoffBase: 2_000, backoffMax: 10_000), policy: PolicyConfig(), random: { 0.999_999 })
        #expect((1...5).map { low.backoff(attempt: $0) } == [1_000, 2_000, 4_000, 5_000, 5_000])
        #expect((1...5).map { high.backoff(attempt: $0) } == [1_999, 3_999, 7_999, 9_999, 9_999])
    }
}
