import ArgumentParser
import Foundation
import HeraldCore
import HeraldDelivery
import Logging

/// How messages leave: the sender and the worker's limits, from flags, then `HERALD_SMS_*` variables.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "http or log (default: $HERALD_SMS_SENDER, else http when an SMS URL is set, else log).")
    var sender: String?

    @Option(name: .customLong("sms-url"), help: "Provider URL; {to} {text} {from} {id} are filled in, URL-encoded (default: $HERALD_SMS_URL).")
    var url: String?

    @Option(name: .customLong("sms-method"), help: "GET or POST (default: $HERALD_SMS_METHOD, else GET).")
    var method: String?

    @Option(name: .customLong("sms-body"), help: "POST body: json or form (default: $HERALD_SMS_BODY, else json).")
    var body: String?

    @Option(name: .customLong("sms-fields"), help: "Field renames, e.g. to=msisdn,text=message (default: $HERALD_SMS_FIELDS).")
    var fields: String?

    @Option(name: .customLong("sms-from"), help: "Sender id or number (default: $HERALD_SMS_FROM).")
    var from: String?

    @Option(name: .customLong("sms-key-header"), help: "Header carrying $HERALD_SMS_API_KEY (default: $HERALD_SMS_KEY_HEADER, else Authorization: Bearer).")
    var keyHeader: String?

    @Option(name: .customLong("sms-number-format"), help: "e164 (+251…) or digits (251…) (default: $HERALD_SMS_NUMBER_FORMAT, else e164).")
    var numberFormat: String?

    @Option(name: .customLong("sms-timeout"), help: "Seconds per request (default: $HERALD_SMS_TIMEOUT, else 10).")
    var timeout: Double?

    @Option(name: .customLong("sms-id-path"), help: "Where the provider's message id is in its JSON answer, e.g. data.id (default: $HERALD_SMS_ID_PATH).")
    var idPath: String?

    @Option(name: .customLong("sms-log"), help: "The log sender's JSON-lines file, - for standard output (default: $HERALD_SMS_LOG, else herald-sms.jsonl).")
    var logFile: String?

    @Option(name: .customLong("sms-enabled"), help: "false holds messages as disabled (default: $HERALD_SMS_ENABLED, else true).")
    var enabled: String?

    @Option(help: "Sends in flight at once (default: $HERALD_SMS_CONCURRENCY, else 16).")
    var concurrency: Int?

    @Option(help: "At most this many sends a second (default: $HERALD_SMS_RATE, else no limit).")
    var rate: Double?

    @Option(help: "Attempts before a failing message is given up (default: $HERALD_SMS_MAX_ATTEMPTS, else 5).")
    var maxAttempts: Int?

    @Option(help: "Seconds before the first retry, doubling each time, with jitter (default: $HERALD_SMS_BACKOFF, else 2).")
    var backoff: Double?

    @Option(help: "Seconds a claim holds before another worker may take the message (default: $HERALD_SMS_LEASE, else 120).")
    var lease: Double?

    var env: [String: String] { ProcessInfo.processInfo.environment }

    static func flag(_ text: String, name: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw Herald.fail("\(name) '\(text)' is not true or false")
        }
    }

    func number<T: LosslessStringConvertible>(_ flag: T?, _ variable: String) throws -> T? {
        if let flag { return flag }
        guard let text = env[variable] else { return nil }
        guard let value = T(text) else { throw Herald.fail("$\(variable) '\(text)' is not a number") }
        return value
    }

    func workerConfig() throws -> WorkerConfig {
        var config = WorkerConfig()
        if let text = enabled ?? env["HERALD_SMS_ENABLED"] { config.enabled = try Self.flag(text, name: "HERALD_SMS_ENABLED") }
        if let n: Int = try number(concurrency, "HERALD_SMS_CONCURRENCY") {
            guard (1...1024).contains(n) else { throw Herald.fail("the concurrency must be 1…1024") }
            config.concurrency = n
        }
        if let r: Double = try number(rate, "HERALD_SMS_RATE") {
            guard r > 0 else { throw Herald.fail("the rate must be more than 0 a second") }
            config.ratePerSecond = r
        }
        if let n: Int = try number(maxAttempts, "HERALD_SMS_MAX_ATTEMPTS") {
            guard (1...100).contains(n) else { throw Herald.fail("the attempts must be 1…100") }
            config.maxAttempts = n
        }
        if let b: Double = try number(backoff, "HERALD_SMS_BACKOFF") {
            guard b >= 0 else { throw Herald.fail("the backoff must be 0 seconds or more") }
            config.backoffBase = Int64(b * 1000)
        }
        let requestTimeout: Double = try number(timeout, "HERALD_SMS_TIMEOUT") ?? 10
        if let l: Double = try number(lease, "HERALD_SMS_LEASE") {
            guard l > requestTimeout else {
                throw Herald.fail("the lease (\(l)s) must be longer than the request timeout (\(requestTimeout)s)")
            }
            config.lease = Int64(l * 1000)
        }
        config.lease = max(config.lease, Int64(requestTimeout * 2000))
        config.batch = max(config.batch, config.concurrency * 4)
        return config
    }

    /// The configured sender, checked; `connections` bounds the http sender's open requests (the worker's
    /// concurrency).
    func makeSender(connections: Int) throws -> any Sender {
        let url = url ?? env["HERALD_SMS_URL"]
        let kind = (sender ?? env["HERALD_SMS_SENDER"] ?? (url == nil ? "log" : "http")).lowercased()
        switch kind {
        case "log":
            let path = logFile ?? env["HERALD_SMS_LOG"] ?? "herald-sms.jsonl"
            do { return try LogSender(path: path) } catch { throw Herald.fail("\(error)") }
        case "http":
            guard let url, !url.isEmpty else { throw Herald.fail("the http sender needs --sms-url or $HERALD_SMS_URL") }
            var config = HTTPSenderConfig(url: url)
            if let m = method ?? env["HERALD_SMS_METHOD"] {
                guard let value = HTTPSenderConfig.Method(rawValue: m.uppercased()) else { throw Herald.fail("the SMS method '\(m)' is not GET or POST") }
                config.method = value
            }
            if let b = body ?? env["HERALD_SMS_BODY"] {
                guard let value = HTTPSenderConfig.Body(rawValue: b.lowercased()) else { throw Herald.fail("the SMS body '\(b)' is not json or form") }
                config.body = value
            }
            if let f = fields ?? env["HERALD_SMS_FIELDS"] {
                for pair in f.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, ["to", "text", "from", "reference"].contains(parts[0]), !parts[1].isEmpty else {
                        throw Herald.fail("SMS field rename '\(pair)' is not FIELD=NAME with FIELD one of to, text, from, reference")
                    }
                    config.fields[parts[0]] = parts[1]
                }
            }
            config.from = from ?? env["HERALD_SMS_FROM"]
            config.apiKey = env["HERALD_SMS_API_KEY"]
            if let h = keyHeader ?? env["HERALD_SMS_KEY_HEADER"] { config.apiKeyHeader = h }
            if let n = numberFormat ?? env["HERALD_SMS_NUMBER_FORMAT"] {
                guard let value = HTTPSenderConfig.NumberFormat(rawValue: n.lowercased()) else { throw Herald.fail("the number format '\(n)' is not e164 or digits") }
                config.numberFormat = value
            }
            if let t: Double = try number(timeout, "HERALD_SMS_TIMEOUT") { config.timeout = t }
            config.idPath = idPath ?? env["HERALD_SMS_ID_PATH"]
            if let problem = config.problem() { throw Herald.fail(problem) }
            return HTTPSender(config: config, connections: connections)
        default:
            throw Herald.fail("unknown sender '\(kind)': http or log")
        }
    }

    /// One line saying where messages go.
    static func describe(_ sender: any Sender) -> String {
        switch sender {
        case let http as HTTPSender:
            let c = http.config
            return "http \(c.method.rawValue) \(c.url)\(c.method == .post ? " (\(c.body.rawValue) body)" : "")"
        case let log as LogSender: return "log to \(log.path == "-" ? "standard output" : log.path)"
        default: return sender.name
        }
    }
}

/// Stops the worker loop on SIGINT/SIGTERM after the batch in flight.
final class StopSignal: @unchecked Sendable {
    private let stopped = Locked(false)
    private var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { [weak self] in self?.stop() }
            source.resume()
            sources.append(source)
        }
    }

    func stop() { stopped.update { $0 = true } }
    var isStopped: Bool { stopped.value }
}

/// Logs to standard error at `HERALD_LOG_LEVEL` (default `level`).
func makeLogger(_ label: String, level: Logger.Level = .warning) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["HERALD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
    return logger
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Send due messages from the outbox through the configured sender, with retries.",
        discussion: """
            Takes queued messages, deferred ones whose time has come, retries that are due, and messages a
            stopped worker had claimed; sends them with at most --concurrency in flight, and records every
            attempt. Runs until interrupted (Ctrl-C finishes the batch in flight), or with --drain until
            nothing is left to send now (waiting for retries; with a fixed --now, retries due later stay).
            With HERALD_SMS_ENABLED=false due messages are held as disabled.

            Exit status: 0; 1 when the worker cannot go on (its error is printed), or with --drain when a message
            failed or expired in this run (herald messages --status failed lists them); 64 for a usage error.

            Example:
              HERALD_SMS_URL='http://localhost:9000/send?to={to}&text={text}' herald worker --drain
            """)

    @Flag(help: "Exit once nothing is left to send now (deferred messages due later stay).")
    var drain = false

    @Flag(help: "Print the final summary as JSON.")
    var json = false

    @Option(help: "Seconds between looks at the outbox when idle.")
    var poll: Double = 1

    @OptionGroup(title: "Sending") var delivery: DeliveryOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var clock: ClockOptions

    func run() async throws {
        let store = try await storeOptions.open()
        let policyConfig = try policy.config()
        let config = try delivery.workerConfig()
        let sender = try delivery.makeSender(connections: config.concurrency)
        let now = try clock.source()
        let fixed = clock.isFixed
        let stop = StopSignal()
        let logger = makeLogger("herald.worker")
        let worker = Worker(store: store, sender: sender, config: config, policy: policyConfig, logger: logger)
        let started = Stopwatch()
        FileHandle.standardError.write(Data("herald worker: \(DeliveryOptions.describe(sender)), \(config.concurrency) in flight\(config.ratePerSecond.map { ", at most \($0)/s" } ?? "")\(config.enabled ? "" : "; sending is switched OFF (messages held as disabled)")\n".utf8))
        let total = Locked(PassSummary())
        do {
            try await worker.run(clock: now, poll: poll) { summary in
                total.update { $0.add(summary) }
                if summary != PassSummary() && !json {
                    FileHandle.standardError.write(Data("\(Self.line(summary))\n".utf8))
                }
                if stop.isStopped { return true }
                guard drain else { return false }
                if !config.enabled { return true }
                // A fixed --now never reaches a retry's time: stop when nothing is due at that instant.
                return try await store.pending(now: now(), futureRetries: !fixed) == 0
            }
        } catch {
            await sender.shutdown()
            throw Herald.fail("worker stopped: \(error)")
        }
        await sender.shutdown()
        let seconds = started.seconds
        if json {
            try printJSON(total.value)
        } else {
            print("done: \(Self.line(total.value)) in \(String(format: "%.2f", seconds))s (\(String(format: "%.0f", Double(total.value.claimed) / max(seconds, 0.001))) attempts/s)")
        }
        if drain, total.value.failed + total.value.expired > 0 { throw ExitCode(1) }
    }

    static func line(_ s: PassSummary) -> String {
        var parts = ["\(s.sent) sent"]
        if s.retry > 0 { parts.append("\(s.retry) to retry") }
        if s.failed > 0 { parts.append("\(s.failed) failed") }
        if s.expired > 0 { parts.append("\(s.expired) expired") }
        if s.held > 0 { parts.append("\(s.held) held (disabled)") }
        if s.reclaimed > 0 { parts.append("\(s.reclaimed) taken over from a stopped worker") }
        return parts.joined(separator: ", ")
    }
}
