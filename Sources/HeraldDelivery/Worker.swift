import Foundation
import HeraldCore
import Logging

/// How the worker sends.
public struct WorkerConfig: Sendable, Equatable {
    /// False holds due messages as `disabled` instead of sending them (`HERALD_SMS_ENABLED=false`).
    public var enabled: Bool
    /// Sends in flight at once.
    public var concurrency: Int
    /// At most this many sends a second to the provider; nil for no limit.
    public var ratePerSecond: Double?
    /// Attempts before a transiently failing message is given up as `failed`.
    public var maxAttempts: Int
    /// The first retry's delay (ms); it doubles with each attempt, up to `backoffMax`, with jitter.
    public var backoffBase: Int64
    public var backoffMax: Int64
    /// How long a claim holds (ms); a claim older than this belongs to a worker that stopped, and is taken again.
    public var lease: Int64
    /// Messages claimed per transaction.
    public var batch: Int
    /// Send only these messages (`herald send`); nil for the whole outbox.
    public var only: [Int64]?

    public init(
        enabled: Bool = true, concurrency: Int = 16, ratePerSecond: Double? = nil, maxAttempts: Int = 5,
        backoffBase: Int64 = 2_000, backoffMax: Int64 = 600_000, lease: Int64 = 120_000, batch: Int = 256
    ) {
        self.enabled = enabled
        self.concurrency = concurrency
        self.ratePerSecond = ratePerSecond
        self.maxAttempts = maxAttempts
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.lease = lease
        self.batch = batch
        only = nil
    }
}

/// What one pass over the outbox did.
public struct PassSummary: Sendable, Equatable, Codable {
    public var claimed = 0
    public var sent = 0
    public var retry = 0
    public var failed = 0
    public var expired = 0
    /// Held as `disabled` (sending switched off).
    public var held = 0
    /// Claims a stopped worker left, taken again.
    public var reclaimed = 0

    public init() {}

    public mutating func add(_ other: PassSummary) {
        claimed += other.claimed
        sent += other.sent
        retry += other.retry
        failed += other.failed
        expired += other.expired
        held += other.held
        reclaimed += other.reclaimed
    }
}

/// Drains the outbox: claims due messages in the database, sends them through the sender with a concurrency and a
/// rate limit, and records every attempt. Transient failures are retried with exponential backoff and jitter;
/// a message that would be retried after it expires ends as `expired`.
public final class Worker: Sendable {
    public typealias Observer = @Sendable (ClaimedMessage, AttemptRecord) -> Void

    public let store: any Storage
    public let sender: any Sender
    public let config: WorkerConfig
    /// The deployment's policy (default quiet hours and time zone): consent is checked again as each message is
    /// claimed for the provider.
    public let policy: PolicyConfig
    let logger: Logger
    let observer: Observer?
    let limiter: RateLimiter?
    /// In [0, 1): the jitter.
    let random: @Sendable () -> Double
    /// Asked before each send: when true, the worker starts nothing more, gives back the claims it has not
    /// started, and its pass ends once the sends in flight are recorded.
    let shouldStop: @Sendable () -> Bool

    public init(
        store: any Storage, sender: any Sender, config: WorkerConfig, policy: PolicyConfig,
        logger: Logger = Logger(label: "herald.worker"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, observer: Observer? = nil,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.shouldStop = shouldStop
        self.store = store
        self.sender = sender
        self.config = config
        self.policy = policy
        self.logger = logger
        self.random = random
        self.observer = observer
        limiter = config.ratePerSecond.map(RateLimiter.init(perSecond:))
    }

    /// Everything due at `now`: expires the dead, then claims and sends batch after batch until nothing is due.
    public func pass(now: Int64) async throws -> PassSummary {
        try await pass(clock: { now })
    }

    /// As `pass(now:)`, reading the time from `clock` for each batch (long passes keep their leases fresh).
    public func pass(clock: @escaping @Sendable () -> Int64) async throws -> PassSummary {
        var summary = PassSummary()
        summary.expired = try await store.expireDue(now: clock())
        guard config.enabled else {
            summary.held = try await store.holdDue(now: clock())
            if summary.held > 0 { logger.notice("sending is switched off: \(summary.held) due messages held as disabled") }
            return summary
        }
        while !shouldStop() {
            let now = clock()
            let claimed = try await store.claim(now: now, limit: config.batch, lease: config.lease, policy: policy, only: config.only)
            if claimed.isEmpty { break }
            var batch = PassSummary()
            let (records, refilled) = try await sendAll(claimed, clock: clock)
            batch.claimed = claimed.count + refilled
            batch.reclaimed = claimed.filter(\.reclaimed).count
            for r in records {
                switch r.result {
                case .sent: batch.sent += 1
                case .retry: batch.retry += 1
                case .expired: batch.expired += 1
                default: batch.failed += 1
                }
            }
            summary.add(batch)
            if claimed.count < config.batch || records.count < claimed.count + refilled { break }
        }
        return summary
    }

    /// Sends a batch with at most `concurrency` in flight, recording outcomes every 64 sends or 100 ms (so a crash
    /// resends few);
    /// returns one record per message, in completion order, and how many messages were claimed on the way. When
    /// the batch is down to its last sends and one of them is slow (a provider that hangs until the timeout),
    /// the free places are filled with messages claimed then, every 100 ms at most: one slow request never holds
    /// back the messages due after it.
    func sendAll(_ messages: [ClaimedMessage], clock: @escaping @Sendable () -> Int64) async throws
        -> (records: [AttemptRecord], refilled: Int)
    {
        try await withThrowingTaskGroup(of: AttemptRecord?.self) { group in
            var queue = messages
            var records: [AttemptRecord] = []
            records.reserveCapacity(messages.count)
            var unrecorded = 0
            var next = 0
            var running = 0
            var ticking = false
            var refilled = 0
            var inFlight: [Int64: Int] = [:]
            var lastClaim = ContinuousClock.now
            var renewedAt = clock()
            let width = max(1, config.concurrency)
            func start() {
                let message = queue[next]
                next += 1
                running += 1
                inFlight[message.id] = message.attempt
                group.addTask { await self.attempt(message, clock: clock) }
            }
            /// Down to the last sends of the batch, with free places.
            func tail() -> Bool { next == queue.count && running > 0 && running < width }
            /// A tick in 100 ms (a nil record).
            func tick() {
                ticking = true
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(100))
                    return nil
                }
            }
            while next < queue.count && next < width { start() }
            // The first tick, before any send is done: leases are renewed even when every first send is slow.
            if running > 0 { tick() }
            var stopped = false
            while let finished = try await group.next() {
                if let record = finished {
                    running -= 1
                    inFlight[record.messageID] = nil
                    records.append(record)
                    unrecorded += 1
                } else {
                    ticking = false
                }
                // Outcomes are written every 64, at each tick (100 ms), and when the last send is done: a crash
                // leaves little unrecorded, and a retry is due again, and claimable, without waiting for a slow send
                // of the same batch.
                if unrecorded >= 64 || (unrecorded > 0 && (finished == nil || running == 0)) {
                    try await store.record(Array(records.suffix(unrecorded)), now: clock(), policy: policy)
                    unrecorded = 0
                }
                if !stopped, shouldStop() { stopped = true }
                // Claims held longer than a third of the lease (waiting their turn, in flight, or sent and not yet
                // recorded) have their leases extended, so no other worker takes them while this one is alive. One
                // that ran out and was taken anyway is not started here.
                if clock() - renewedAt >= config.lease / 3 {
                    renewedAt = clock()
                    let unstarted = queue[next...]
                    var claims = unstarted.map { (id: $0.id, attempt: $0.attempt) }
                    claims += inFlight.map { (id: $0.key, attempt: $0.value) }
                    claims += records.suffix(unrecorded).map { (id: $0.messageID, attempt: $0.number) }
                    let held = try await store.renew(claims, until: renewedAt + config.lease, now: renewedAt)
                    let lost = unstarted.filter { !held.contains($0.id) }
                    if !lost.isEmpty {
                        queue = Array(queue[..<next]) + unstarted.filter { held.contains($0.id) }
                        logger.warning("\(lost.count) claimed messages ran out of their lease before they were sent; left to the worker that took them")
                    }
                }
                if stopped { continue }
                if tail(), ContinuousClock.now - lastClaim >= .milliseconds(100) {
                    lastClaim = ContinuousClock.now
                    // A message of this batch whose lease ran out while it waited or was sent here is still held:
                    // it is not taken twice. One whose attempt is over and recorded (a retry due again) is taken.
                    let held = Set(inFlight.keys).union(queue[next...].map(\.id))
                    let more = try await store.claim(now: clock(), limit: width - running, lease: config.lease, policy: policy, only: config.only)
                        .filter { !held.contains($0.id) }
                    queue += more
                    refilled += more.count
                }
                while next < queue.count, running < width { start() }
                if next == queue.count, running == 0, ticking { group.cancelAll() }
                // A tick every 100 ms while sends run: leases are renewed, and the tail of a batch refilled, on time
                // even when every send in flight is slow.
                if running > 0, !ticking { tick() }
            }
            if unrecorded > 0 { try await store.record(Array(records.suffix(unrecorded)), now: clock(), policy: policy) }
            if next < queue.count {
                let unstarted = queue[next...].map(\.id)
                try await store.release(unstarted, now: clock())
                logger.info("stopping: \(unstarted.count) claimed messages given back unsent")
            }
            return (records, refilled)
        }
    }

    /// One attempt at one message, and what it leads to.
    func attempt(_ message: ClaimedMessage, clock: @escaping @Sendable () -> Int64) async -> AttemptRecord {
        if let limiter { await limiter.acquire() }
        let startedAt = clock()
        let started = ContinuousClock.now
        let result = await sender.send(OutgoingSMS(message))
        let elapsed = ContinuousClock.now - started
        let latency = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let record = decide(message, result: result, startedAt: startedAt, latencyMs: latency, now: startedAt + latency)
        switch record.result {
        case .sent: logger.debug("message \(message.id) sent", metadata: ["provider_id": "\(record.providerID ?? "-")"])
        case .retry: logger.info("message \(message.id) attempt \(message.attempt): \(record.error ?? "") → retry")
        default:
            logger.warning("message \(message.id) attempt \(message.attempt): \(record.error ?? "") → \(record.result.rawValue)")
        }
        observer?(message, record)
        return record
    }

    /// The retry policy: what becomes of a message after an attempt with this result.
    public func decide(_ message: ClaimedMessage, result: SendResult, startedAt: Int64, latencyMs: Int64, now: Int64)
        -> AttemptRecord
    {
        var record = AttemptRecord(
            messageID: message.id, number: message.attempt, sender: sender.name, startedAt: Instant(ms: startedAt),
            latencyMs: latencyMs, outcome: result.outcome, result: .sent)
        switch result {
        case .accepted(let id, let status, let note):
            record.providerID = id
            record.httpStatus = status
            record.error = note
        case .permanent(let error, let status):
            record.httpStatus = status
            record.error = error
            record.result = .failed
        case .transient(let error, let status, let retryAfter):
            record.httpStatus = status
            if message.attempt >= config.maxAttempts {
                record.error = "gave up after \(message.attempt) attempt\(message.attempt == 1 ? "" : "s"): \(error)"
                record.result = .failed
                break
            }
            var delay = backoff(attempt: message.attempt)
            if let retryAfter { delay = max(delay, Int64(retryAfter * 1000)) }
            let next = now + delay
            if next >= message.expiresAt {
                record.error = "expires at \(Renderer.iso8601(ms: Double(message.expiresAt))), before the next attempt: \(error)"
                record.result = .expired
            } else {
                record.error = error
                record.result = .retry
                record.nextAt = Instant(ms: next)
            }
        }
        return record
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half random.
    public func backoff(attempt: Int) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(config.backoffMax, config.backoffBase * (Int64(1) << exponent))
        return full / 2 + Int64(Double(full / 2) * random())
    }

    /// Passes until `stop` says so, sleeping until the next message is due (at most `poll` seconds), or until the
    /// store says messages were queued (`waitForDue`: PostgreSQL's `NOTIFY` from any process).
    public func run(clock: @escaping @Sendable () -> Int64, poll: Double = 1, stop: @Sendable (PassSummary) async throws -> Bool)
        async throws
    {
        while !Task.isCancelled && !shouldStop() {
            let summary = try await pass(clock: clock)
            if try await stop(summary) { return }
            let now = clock()
            var wait = poll
            if let due = try await store.nextDue() { wait = min(poll, max(0.005, Double(due - now) / 1000)) }
            await store.waitForDue(upTo: wait)
            try Task.checkCancellation()
        }
    }
}

/// Spaces sends evenly: at most `perSecond` a second.
actor RateLimiter {
    let interval: Duration
    var next = ContinuousClock.now

    init(perSecond: Double) {
        interval = .nanoseconds(Int64(1_000_000_000 / max(perSecond, 0.001)))
    }

    func acquire() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
