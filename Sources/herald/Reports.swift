import ArgumentParser
import Foundation
import HeraldCore

struct DLR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlr",
        abstract: "Apply provider delivery reports: a message becomes delivered, failed or expired.",
        discussion: """
            One report from flags, or JSON lines from FILE (- for standard input), each
            {"reference": "…", "status": "delivered|failed|expired", "error": "…"}; "id" or "messageId" may stand
            for "reference". A reference is the provider's message id or Herald's (42, or the idempotency key herald-<instance>-42). A report
            naming no known message is kept and reported; it changes nothing. Exit status 1 when a line is
            malformed.

            Examples:
              herald dlr --reference prov-8812 --status delivered
              herald dlr Examples/reports.jsonl --json
            """)

    @Argument(help: "A JSON-lines file of reports, or - for standard input.")
    var file: String?

    @Option(help: "The provider's message id, or Herald's.")
    var reference: String?

    @Option(help: "delivered, failed or expired.")
    var status: String?

    @Option(help: "The provider's error code.")
    var error: String?

    @Flag(help: "Print one JSON object per report.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if file == nil, reference == nil || status == nil {
            throw ValidationError("give FILE, or --reference and --status")
        }
        if file != nil, reference != nil { throw ValidationError("give FILE or --reference, not both") }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        var reports: [(line: Int, report: Result<DeliveryReport, RowProblem>)] = []
        if let reference, let status {
            guard let s = DeliveryReport.Status(rawValue: status) else {
                throw Self.fail("--status '\(status)' is not delivered, failed or expired")
            }
            reports.append((1, .success(DeliveryReport(reference: reference, status: s, errorCode: error))))
        } else if let file {
            guard let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            else { throw Self.fail("cannot read \(file)") }
            for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
            where line.contains(where: { !$0.isWhitespace }) {
                reports.append((index + 1, Self.parse(line)))
            }
        }
        var malformed = 0
        var unknown = 0
        let name = file ?? "report"
        for (line, item) in reports {
            switch item {
            case .failure(let problem):
                malformed += 1
                FileHandle.standardError.write(Data("\(name):\(line): \(problem.text)\n".utf8))
                if json { print(JSONValue.object(["line": .number(Double(line)), "error": .string(problem.text)]).serialized) }
            case .success(let report):
                let result = try await store.apply(report, now: try clock.clock())
                if result.messageID == nil { unknown += 1 }
                if json {
                    try printJSON(result, pretty: false)
                } else if let id = result.messageID, let why = result.ignored {
                    print("\(report.reference): message \(id) unchanged, \(why); the report is kept")
                } else if let id = result.messageID {
                    print("\(report.reference): message \(id) \(result.previous?.rawValue ?? "?") → \(report.status.rawValue)\(report.errorCode.map { " (\($0))" } ?? "")")
                } else {
                    print("\(report.reference): unknown reference; the report is kept, no message changed")
                }
            }
        }
        if !json, reports.count > 1 {
            FileHandle.standardError.write(Data("\(reports.count) reports: \(reports.count - malformed - unknown) applied, \(unknown) unknown, \(malformed) malformed\n".utf8))
        }
        if malformed > 0 { throw ExitCode(1) }
    }

    static func parse(_ line: some Collection<UInt8>) -> Result<DeliveryReport, RowProblem> {
        guard let value = try? JSONValue.parse(line) else { return .failure(RowProblem("not a JSON object")) }
        return DeliveryReport.parse(value)
    }
}

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Statistics of the message log: totals, success and failure rates, by template, event type and status.",
        discussion: """
            Examples:
              herald stats
              herald stats --since 24h --json
              herald stats --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z
              herald stats --contact ecar-c-42
            """)

    @OptionGroup(title: "Messages created") var window: WindowOptions

    @Option(help: "One contact's statistics and latest messages.")
    var contact: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show full phone numbers.")
    var showPhone = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var clock: ClockOptions

    func run() async throws {
        let span = try window.window(now: try clock.clock())
        let store = try await storeOptions.open()
        let stats = try await store.statistics(since: span.since, until: span.until, contact: contact)
        var history: [StoredMessage] = []
        if let contact {
            history = try await store.messages(MessageFilter(contact: contact, limit: 20))
            if !showPhone { for i in history.indices { history[i].phone = PhoneNumber.mask(e164: history[i].phone) } }
        }
        if json {
            struct Output: Encodable {
                var statistics: Statistics
                var history: [StoredMessage]?
            }
            return try printJSON(Output(statistics: stats, history: contact == nil ? nil : history))
        }
        // Two decimals, so one failure in thousands does not round away.
        func percent(_ r: Double?) -> String { r.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
        func counts(_ d: [String: Int]) -> String {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ")
        }
        print("messages: \(stats.messages) (\(stats.segments) segments)\(stats.since.map { " since \($0)" } ?? "")\(stats.until.map { " until \($0)" } ?? "")\(contact.map { " for \($0)" } ?? "")")
        print("by status: \(stats.byStatus.isEmpty ? "-" : counts(stats.byStatus))")
        print("success: \(percent(stats.successRate)) (\(stats.handedOver) sent or delivered)  failure: \(percent(stats.failureRate)) (\(stats.failedOrExpired) failed or expired)  delivered of reported: \(percent(stats.deliveredRate))")
        let a = stats.attempts
        print("attempts: \(a.total) (accepted \(a.accepted), transient failures \(a.transient), permanent \(a.permanent))\(a.averageLatencyMs.map { String(format: ", average %.0f ms", $0) } ?? "")")
        print("not sent: \(stats.suppressed.isEmpty ? "-" : counts(stats.suppressed))")
        if !stats.byTemplate.isEmpty {
            print("by template:")
            for (k, v) in stats.byTemplate.sorted(by: { $0.key < $1.key }) { print("  \(k): \(counts(v))") }
        }
        if !stats.byEventType.isEmpty {
            print("by event type:")
            for (k, v) in stats.byEventType.sorted(by: { $0.key < $1.key }) { print("  \(k): \(counts(v))") }
        }
        if contact != nil {
            print("latest messages:")
            for m in history {
                print("  #\(m.id) \(m.createdAt) \(m.status) \(m.template) \(m.phone) attempts \(m.attempts)\(m.lastError.map { ": \($0)" } ?? "")")
            }
        }
    }
}
