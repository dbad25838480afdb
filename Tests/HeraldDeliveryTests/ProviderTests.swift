import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import HeraldTestSupport
import Testing

/// The http sender and the worker against a real HTTP server on loopback answering as scripted.
@Suite struct ProviderTests {
    let now = ms("2026-11-23T10:00:00Z")

    func worker(_ outbox: Outbox, _ provider: ScriptedProvider, timeout: Double = 20, maxAttempts: Int = 5,
                configure: (inout HTTPSenderConfig) -> Void = { _ in }) -> Worker
    {
        var config = HTTPSenderConfig(url: provider.url, method: .post, idPath: "id")
        config.timeout = timeout
        config.apiKey = "secret"
        configure(&config)
        return Worker(
            store: outbox.store, sender: HTTPSender(config: config, connections: 4),
            config: WorkerConfig(concurrency: 4, maxAttempts: maxAttempts, backoffBase: 1_000, lease: 60_000), policy: PolicyConfig(),
            random: { 0.5 })
    }

    @Test(arguments: StoreKind.available) func successRecordsTheProvidersIDAndSendsTheKeys(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { key, _ in .ok("prov-\(key)") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let ids = try await outbox.add(3, now: now)
        let w = worker(outbox, provider)
        let summary = try await w.pass(now: now)
        await w.sender.shutdown()
        #expect(summary.sent == 3)
        for id in ids {
            let m = try await outbox.store.message(id: id)!
            #expect(m.status == .sent)
            #expect(m.providerID == "prov-herald-\(outbox.store.instance)-\(id)")
            #expect(m.attempts == 1)
            let attempts = try await outbox.store.attempts(message: id)
            #expect(attempts.count == 1 && attempts[0].outcome == .accepted && attempts[0].httpStatus == 200)
        }
        let received = provider.requests
        #expect(Set(received.map(\.key)) == Set(ids.map { "herald-\(outbox.store.instance)-\($0)" }))
        #expect(received.allSatisfy { $0.authorization == "Bearer secret" && $0.method == "POST" })
        let body = try #require(received.first?.body)
        let json = try JSONValue.parse(Array(body.utf8))
        #expect(json["to"]?.text?.hasPrefix("+2519112300") == true)
        #expect(json["text"]?.text == "Test message")
    }

    @Test(arguments: StoreKind.available) func aServerErrorIsRetriedThenSucceeds(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, attempt in attempt == 1 ? .status(500, "{\"error\": \"busy\"}") : .ok("p2") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let w = worker(outbox, provider)
        var s = try await w.pass(now: now)
        #expect(s.retry == 1 && s.sent == 0)
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .retry)
        // First retry: base 1 s, equal jitter at 0.5 → 750 ms after the attempt ended.
        let due = m.dueAt.ms
        let latency = try await outbox.store.attempts(message: id)[0].latencyMs
        #expect(due == now + latency + 750)
        s = try await w.pass(now: due - 1)
        #expect(s.claimed == 0)
        s = try await w.pass(now: due)
        await w.sender.shutdown()
        #expect(s.sent == 1)
        let attempts = try await outbox.store.attempts(message: id)
        #expect(attempts.map(\.outcome) == [.transient, .accepted])
        #expect(attempts[0].httpStatus == 500 && attempts[0].error?.contains("busy") == true)
        #expect(try await outbox.status(id) == "sent")
        #expect(provider.requests.map(\.key) == ["herald-\(outbox.store.instance)-\(id)", "herald-\(outbox.store.instance)-\(id)"])
    }

    @Test(arguments: StoreKind.available) func aTimeoutIsTransient(_ kind: StoreKind) async throws {
        // The provider would answer after 5 s; the 0.3 s timeout cuts the attempt long before (with room for a
        // loaded machine).
        let provider = try await ScriptedProvider { _, _ in .slow(5) }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let w = worker(outbox, provider, timeout: 0.3)
        let s = try await w.pass(now: now)
        await w.sender.shutdown()
        #expect(s.retry == 1)
        let attempt = try #require(try await outbox.store.attempts(message: id).first)
        #expect(attempt.outcome == .transient)
        #expect(attempt.error?.contains("timed out") == true)
        #expect(attempt.latencyMs >= 250 && attempt.latencyMs < 4_500)
    }

    @Test(arguments: StoreKind.available) func aRefusedConnectionIsTransientAndGivenUpAfterTheLimit(_ kind: StoreKind) async throws {
        // A port that was just free: nothing listens there.
        let provider = try await ScriptedProvider { _, _ in .ok("x") }
        let port = provider.port
        provider.stop()
        try await Task.sleep(for: .milliseconds(100))
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let sender = HTTPSender(config: HTTPSenderConfig(url: "http://127.0.0.1:\(port)/send", timeout: 0.5))
        let w = Worker(store: outbox.store, sender: sender, config: WorkerConfig(maxAttempts: 2, backoffBase: 1_000), policy: PolicyConfig(), random: { 0 })
        var s = try await w.pass(now: now)
        #expect(s.retry == 1)
        s = try await w.pass(now: now + 60_000)
        await sender.shutdown()
        #expect(s.failed == 1)
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .failed)
        #expect(m.lastError?.contains("gave up after 2 attempts") == true)
        #expect(m.lastError?.contains("refused") == true)
        #expect(try await outbox.store.attempts(message: id).map(\.outcome) == [.transient, .transient])
    }

    @Test(arguments: StoreKind.available) func tooManyRequestsWaitsForRetryAfter(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, attempt in
            attempt == 1 ? .status(429, "{\"error\": \"slow down\"}", ["Retry-After": "30"]) : .ok("p3")
        }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let w = worker(outbox, provider)
        _ = try await w.pass(now: now)
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .retry)
        let due = m.dueAt.ms
        let latency = try await outbox.store.attempts(message: id)[0].latencyMs
        #expect(due == now + latency + 30_000, "Retry-After 30 s beats a 1 s backoff")
        #expect(try await w.pass(now: now + 29_000).claimed == 0)
        #expect(try await w.pass(now: due).sent == 1)
        await w.sender.shutdown()
        #expect(try await outbox.store.attempts(message: id).first?.httpStatus == 429)
    }

    @Test(arguments: StoreKind.available) func aClientErrorIsNotRetried(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, _ in .status(400, "{\"error\": \"bad number\"}") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let w = worker(outbox, provider)
        let s = try await w.pass(now: now)
        #expect(s.failed == 1)
        #expect(try await w.pass(now: now + 3_600_000 - 1).claimed == 0)
        await w.sender.shutdown()
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .failed)
        #expect(m.lastError == "HTTP 400: {\"error\": \"bad number\"}")
        #expect(provider.requests.count == 1)
    }

    @Test(arguments: StoreKind.available) func aMalformedBodyIsAcceptedWithANote(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, _ in .status(200, "<html>OK</html>") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now)[0]
        let w = worker(outbox, provider)
        let s = try await w.pass(now: now)
        await w.sender.shutdown()
        // 2xx means the provider took it: resending would send it twice.
        #expect(s.sent == 1)
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .sent && m.providerID == nil)
        #expect(m.lastError?.contains("not JSON") == true)
    }

    @Test(arguments: StoreKind.available) func getURLTemplatesAreFilledAndEncoded(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, _ in .ok("g1") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        _ = try await outbox.add(now: now, text: "Café & co = 100% ✓")
        let w = worker(outbox, provider) {
            $0.method = .get
            $0.url = provider.url + "?to={to}&msg={text}&from={from}"
            $0.from = "ECAR"
            $0.numberFormat = .digits
        }
        _ = try await w.pass(now: now)
        await w.sender.shutdown()
        let uri = try #require(provider.requests.first?.uri)
        #expect(uri == "/send?to=251911230000&msg=Caf%C3%A9%20%26%20co%20%3D%20100%25%20%E2%9C%93&from=ECAR")
    }

    @Test(arguments: StoreKind.available) func transientFailuresPastTheExpiryEndAsExpired(_ kind: StoreKind) async throws {
        let provider = try await ScriptedProvider { _, _ in .status(503, "down") }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let id = try await outbox.add(now: now, ttl: 500)[0]
        let w = worker(outbox, provider)
        _ = try await w.pass(now: now)
        await w.sender.shutdown()
        let m = try await outbox.store.message(id: id)!
        #expect(m.status == .expired)
        #expect(m.lastError?.contains("before the next attempt") == true)
    }
    /// A batch that takes longer to send than its lease: the worker renews the leases of what it still holds, so
    /// another worker polling all along takes nothing and every message is claimed and sent once. Time is the
    /// engine's, moved 150 ms by each request the provider receives: the batch lasts 9 s of it against a lease of
    /// 4 s, however slowly a loaded machine runs the test.
    @Test(arguments: StoreKind.available) func aBatchLongerThanItsLeaseKeepsItsClaims(_ kind: StoreKind) async throws {
        let start = ms("2026-11-23T10:00:00Z")
        let time = Locked(start)
        let provider = try await ScriptedProvider { _, _ in
            time.update { $0 += 150 }
            return .slow(0.02)
        }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let ids = try await outbox.add(60, now: start)
        let sender = HTTPSender(config: HTTPSenderConfig(url: provider.url, method: .post, idPath: "id"), connections: 2)
        let worker = Worker(
            store: outbox.store, sender: sender, config: WorkerConfig(concurrency: 2, lease: 4_000, batch: 60),
            policy: PolicyConfig())
        let sending = Task { try await worker.pass(clock: { time.value }) }
        let deadline = ContinuousClock.now + .seconds(60)
        while provider.requests.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        // The worker holds all 60 now; a rival worker asks for due messages every 10 ms until the last is sent.
        var rival = 0
        while provider.requests.count < 60, ContinuousClock.now < deadline {
            rival += try await outbox.store.claim(now: time.value, limit: 60, lease: 4_000, policy: PolicyConfig()).count
            try await Task.sleep(for: .milliseconds(10))
        }
        let summary = try await sending.value
        await sender.shutdown()
        #expect(time.value - start >= 9_000, "the batch outlived its lease")
        #expect(rival == 0, "no claim ran out while its worker held it")
        #expect(summary.sent == 60 && summary.reclaimed == 0)
        for id in ids { #expect(try await outbox.store.message(id: id)?.attempts == 1) }
        #expect(provider.requests.count == 60)
    }
}
