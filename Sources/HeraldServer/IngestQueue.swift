import Foundation
import HeraldCore

/// Stores events from many requests together (group commit): while a transaction is being written, the events
/// that arrive wait and go into the next one. Each caller gets its own results once its transaction is on disk.
/// As many transactions are in flight as the store takes (`Storage.writers`: one on SQLite, whose writes are
/// serial anyway; several on PostgreSQL, where a transaction waits mostly on round trips), each in a task of its
/// own.
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
    /// Events waiting, and how many transactions are being written.
    private let state = Locked<(waiting: [Waiting], writing: Int)>(([], 0))

    init(store: any Storage, planner: Planner, clock: @escaping @Sendable () -> Int64, maxBatch: Int = 1000) {
        self.store = store
        self.planner = planner
        self.clock = clock
        self.maxBatch = maxBatch
    }

    /// Plans and stores the events; returns once they are durable.
    func ingest(_ events: [Event]) async throws -> Results {
        try await withCheckedThrowingContinuation { continuation in
            let writers = max(1, store.writers)
            let schedule = state.update { s -> Bool in
                s.waiting.append(Waiting(events: events, continuation: continuation))
                if s.writing >= writers { return false }
                s.writing += 1
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
                if taken.isEmpty { s.writing -= 1 }
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
