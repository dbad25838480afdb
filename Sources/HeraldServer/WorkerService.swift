import Foundation
import HeraldCore
import HeraldDelivery
import Logging
import ServiceLifecycle

/// The sender worker inside the server. On shutdown it starts no new send, records the ones in flight, gives
/// back the claims it had not started, and closes the sender.
public struct WorkerService: Service {
    let store: any Storage
    let sender: any Sender
    let config: WorkerConfig
    let policy: PolicyConfig
    let clock: @Sendable () -> Int64
    let metrics: ServerMetrics
    let logger: Logger
    let poll: Double

    public func run() async throws {
        let stopping = Locked(false)
        let metrics = self.metrics
        let worker = Worker(
            store: store, sender: sender, config: config, policy: policy, logger: logger,
            observer: { _, record in metrics.attempt(latencyMs: record.latencyMs, result: record.result.rawValue) },
            shouldStop: { stopping.value })
        logger.info("worker started: \(sender.name), concurrency \(config.concurrency)\(config.enabled ? "" : ", sending switched off")")
        await withGracefulShutdownHandler {
            // Cancelled (the server failed to start, or the group is torn down): the worker ends at once.
            while !stopping.value && !Task.isCancelled {
                do {
                    try await worker.run(clock: clock, poll: poll) { _ in stopping.value }
                } catch is CancellationError {
                    break
                } catch {
                    // A database error is logged and the worker tries again: the server keeps serving.
                    logger.error("worker pass failed: \(error); trying again in 1 s")
                    do { try await Task.sleep(for: .seconds(1)) } catch { break }
                }
            }
        } onGracefulShutdown: {
            stopping.update { $0 = true }
        }
        await sender.shutdown()
        logger.info("worker stopped")
    }
}
