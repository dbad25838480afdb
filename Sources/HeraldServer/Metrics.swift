import Foundation
import HeraldCore
import Prometheus

/// What `/metrics` shows: latency histograms kept as requests, renders and sends happen, and the outbox's counts
/// read from the database at each scrape.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let renderSeconds: DurationHistogram
    let sendSeconds: DurationHistogram
    let requestSeconds: DurationHistogram
    let sendOutcomes: [String: Counter]
    let events: [String: Counter]
    let statusClasses: [Int: Counter]

    public init() {
        renderSeconds = registry.makeDurationHistogram(
            name: "herald_render_seconds",
            buckets: [.microseconds(20), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
                      .milliseconds(1), .milliseconds(5), .milliseconds(25)],
            help: "Time to render one message (ICU formatting, GSM-7 policy, segment count)")
        sendSeconds = registry.makeDurationHistogram(
            name: "herald_send_seconds",
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)],
            help: "Time the SMS provider took to answer one send")
        requestSeconds = registry.makeDurationHistogram(
            name: "herald_http_request_seconds",
            buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
                      .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500)],
            help: "Time to answer one HTTP request")
        var outcomes: [String: Counter] = [:]
        for result in ["sent", "retry", "failed", "expired"] {
            outcomes[result] = registry.makeCounter(
                name: "herald_send_attempts_total", labels: [("result", result)], help: "Send attempts by what they led to")
        }
        sendOutcomes = outcomes
        var events: [String: Counter] = [:]
        for result in ["stored", "duplicate", "refused"] {
            events[result] = registry.makeCounter(
                name: "herald_events_total", labels: [("result", result)], help: "Events received over HTTP")
        }
        self.events = events
        var classes: [Int: Counter] = [:]
        for c in 1...5 {
            classes[c] = registry.makeCounter(
                name: "herald_http_requests_total", labels: [("code", "\(c)xx")], help: "HTTP requests by status class")
        }
        statusClasses = classes
    }

    func request(status: Int, duration: Duration) {
        requestSeconds.record(duration)
        statusClasses[min(5, max(1, status / 100))]?.increment()
    }

    func rendered(_ duration: Duration) { renderSeconds.record(duration) }

    func attempt(latencyMs: Int64, result: String) {
        sendSeconds.record(.milliseconds(latencyMs))
        sendOutcomes[result]?.increment()
    }

    func event(_ result: String) { events[result]?.increment() }

    /// The Prometheus text: the histograms and counters, then the outbox as it is now.
    func text(store: any Storage, now: Int64) async throws -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var out = String(decoding: buffer, as: UTF8.self)
        let counts = try await store.messageCounts()
        out += "# HELP herald_messages Messages in the outbox by status\n# TYPE herald_messages gauge\n"
        for status in MessageStatus.allCases {
            out += "herald_messages{status=\"\(status.rawValue)\"} \(counts[status.rawValue, default: 0])\n"
        }
        out += "# HELP herald_segments_sent Segments of messages handed to the provider (sent or delivered)\n# TYPE herald_segments_sent gauge\n"
        out += "herald_segments_sent \(try await store.segmentsHandedOver())\n"
        out += "# HELP herald_queue_depth Messages due now or in flight: queued, retrying, sending, and deferred ones whose time has come\n# TYPE herald_queue_depth gauge\n"
        out += "herald_queue_depth \(try await store.pending(now: now, futureRetries: false))\n"
        return out
    }
}
