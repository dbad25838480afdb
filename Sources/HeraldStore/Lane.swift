import Foundation

/// One long-lived thread that runs a store's work, for callers that `await` it: no caller's thread (a server's
/// event loop, Swift's cooperative pool) is blocked by SQLite, and the work always runs on the same thread, so the
/// renderer's per-thread state (ICU formatters and calendars, the UTF-8 buffer) stays warm from one transaction to
/// the next. Its thread ends when the lane is released.
final class Lane: Sendable {
    private let queue: Queue

    init(name: String) {
        queue = Queue()
        let queue = queue
        let thread = Thread { queue.drain() }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit { queue.close() }

    /// Runs `body` on the lane's thread and returns what it returns.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.add { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The jobs waiting for the thread.
    private final class Queue: @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [() -> Void] = []
        private var closed = false

        func add(_ job: @escaping () -> Void) {
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        func close() {
            condition.lock()
            closed = true
            condition.signal()
            condition.unlock()
        }

        /// The thread's loop: every job in order, until the lane is released and nothing waits.
        func drain() {
            while true {
                condition.lock()
                while jobs.isEmpty && !closed { condition.wait() }
                if jobs.isEmpty && closed {
                    condition.unlock()
                    return
                }
                let batch = jobs
                jobs.removeAll(keepingCapacity: true)
                condition.unlock()
                for job in batch { job() }
            }
        }
    }
}

/// The threads of one store: one for transactions, one for planning reads.
final class Lanes: Sendable {
    let writing = Lane(name: "herald.store.write")
    let planning = Lane(name: "herald.store.plan")
}
