import Foundation
import HeraldTestSupport
import HeraldCore
import HeraldDelivery
import HeraldStore
import Testing

/// The built `herald worker`, killed with SIGKILL in the middle of a batch and started again.
@Suite struct RestartTests {
    static var binary: URL { TestPaths.heraldBinary }

    func worker(db: String, url: String) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = [
            "worker", "--drain", "--db", db, "--sms-url", url, "--sms-method", "POST", "--sms-id-path", "id",
            "--sms-timeout", "2", "--lease", "2.5", "--concurrency", "8", "--poll", "0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: StoreKind.available)
    func aWorkerKilledMidBatchLeavesNothingUnsentAndResendsOnlyWithTheSameKey(_ kind: StoreKind) async throws {
        // Every answer takes 20 ms, so the kill lands while sends are in flight.
        let provider = try await ScriptedProvider { _, _ in .slow(0.02) }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let now = SystemClock.now()
        let ids = try await outbox.add(300, now: now)

        let first = try worker(db: outbox.location, url: provider.url)
        var waited = 0
        while provider.requests.count < 60 && waited < 1_000 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        kill(first.processIdentifier, SIGKILL)
        await onOwnThread { first.waitUntilExit() }
        let beforeRestart = provider.requests.count
        #expect(beforeRestart >= 60 && beforeRestart < 300, "killed mid-batch")
        let inFlight = try await outbox.statuses()["sending", default: 0]
        #expect(inFlight > 0, "the kill left claimed messages")

        let second = try worker(db: outbox.location, url: provider.url)
        await onOwnThread { second.waitUntilExit() }
        #expect(second.terminationStatus == 0)

        // Every message ends sent, each received at most twice, always under its own key.
        #expect(try await outbox.statuses() == ["sent": 300])
        var byKey: [String: Int] = [:]
        for r in provider.requests { byKey[r.key, default: 0] += 1 }
        #expect(Set(byKey.keys) == Set(ids.map { "herald-\(outbox.store.instance)-\($0)" }))
        // A claim lost with the killed worker is the only unrecorded attempt: at most one per message, and the
        // provider never saw more requests for a message than it had claims.
        var lost = 0
        for id in ids {
            let m = try #require(try await outbox.store.message(id: id))
            let recorded = try await outbox.store.attempts(message: id)
            let received = byKey["herald-\(outbox.store.instance)-\(id)", default: 0]
            #expect(m.attempts - recorded.count <= 1, "message \(id): \(m.attempts) claims, \(recorded.count) recorded")
            #expect(received <= m.attempts)
            #expect(recorded.last?.outcome == .accepted)
            lost += m.attempts - recorded.count
        }
        #expect(lost > 0 && lost <= inFlight)
    }
}
