import Foundation

/// Waiters that a signal wakes at once, each waiting at most a given time: an idle worker waits here for messages
/// to become due, and a store that hears of them (PostgreSQL's `NOTIFY`) signals.
public final class Wakeups: Sendable {
    private enum Waiter {
        case waiting(CheckedContinuation<Void, Never>)
        /// Woken or cancelled before its continuation was stored.
        case done
    }

    private let waiters = Locked<[Int: Waiter]>([:])
    private let counter = Locked(0)

    public init() {}

    /// Returns when signalled, after `seconds`, or when the task is cancelled, whichever comes first.
    public func wait(upTo seconds: Double) async {
        let id = counter.update { n in
            n += 1
            return n
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000))) }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let early = self.waiters.update { list -> Bool in
                            if case .done = list[id] {
                                list[id] = nil
                                return true
                            }
                            list[id] = .waiting(continuation)
                            return false
                        }
                        if early { continuation.resume() }
                    }
                } onCancel: {
                    self.wake(id)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Wakes every waiter.
    public func signal() {
        let woken = waiters.update { list -> [CheckedContinuation<Void, Never>] in
            let all = list.values.compactMap { if case .waiting(let c) = $0 { c } else { nil } }
            list = list.filter { if case .done = $0.value { true } else { false } }
            return all
        }
        for continuation in woken { continuation.resume() }
    }

    private func wake(_ id: Int) {
        let continuation = waiters.update { list -> CheckedContinuation<Void, Never>? in
            if case .waiting(let c) = list[id] {
                list[id] = nil
                return c
            }
            list[id] = .done
            return nil
        }
        continuation?.resume()
    }
}
