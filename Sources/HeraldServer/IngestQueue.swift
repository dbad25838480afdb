import Foundation
import HeraldCore

/// Stores events from many requests together (group commit): while one transaction is being written, the events
/// that arrive wait and go into the next one. Each caller gets its own results once its transaction is on disk.
/// Writes run one after another in a task of their own.
final class IngestQueue: Sendable {
    typealias Results = [Result<IngestResult, EventError>]
    struct Waiting {
        var events: [Event]
        var continuation: CheckedContinuation<Results, any Error>
    }

    let store: any Storage
    let planner: Planner
    let clock: @Sendable () -> Int64
    let maxBatch: Int
    private let state = Locked<(waiting: [Waiting], scheduled: Bool)>(([], false))

    init(store: any Storage, planner: Planner, clock: @escaping @Sendable () -> Int64, maxBatch: Int = 1000) {
        self.store = store
        self.planner = planner
        self.clock = clock
        self.maxBatch = maxBatch
    }

    /// Plans and stores the events; returns once they are durable.
    func ingest(_ events: [Event]) async throws -> Results {
        try await withCheckedThrowingContinuation { continuation in
            let schedule = state.update { s -> Bool in
                s.waiting.append(Waiting(events: events, continuation: continuation))
                if s.scheduled { return false }
                s.scheduled = true
                return true
            }
            if schedule { Task { await self.drain() } }
        }
    }

    /// Writes what waits, transaction after transaction, until nothing does.
    private func drain() async {
        while true {
            let taken = state.update { s -> [Waiting] in
                var count = 0
                var n = 0
                while n < s.waiting.count, count == 0 || count + s.waiting[n].events.count <= maxBatch {
                    count += s.waiting[n].events.count
                    n += 1
                }
                let taken = Array(s.waiting.prefix(n))
                s.waiting.removeFirst(n)
                if taken.isEmpty { s.scheduled = false }
                return taken
            }
            if taken.isEmpty { return }
            do {
                let results = try await store.ingest(taken.flatMap(\.events), planner: planner, now: clock())
                var offset = 0
                for waiting in taken {
                    waiting.continuation.resume(returning: Array(results[offset..<offset + waiting.events.count]))
                    offset += waiting.events.count
                }
            } catch {
                for waiting in taken { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
