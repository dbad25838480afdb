import ArgumentParser
import Foundation
import HeraldCore
import HeraldDelivery
import HeraldApp
import HeraldStore

struct Campaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one template to many contacts, each with their own parameters, the policy applied to each.",
        discussion: """
            FILE.csv has a header row; FILE.jsonl one object per line. The columns (keys) `contact` (or `id`),
            `phone`, `name`, `language`, `timeZone` and `region` describe the person; every other column is a
            template parameter by name (JSON lines may also nest them under "params"). A row without a contact id
            is keyed by its phone number in E.164. --param gives a value to every row.

            Every row is decided as an event's recipient would be: opt-outs, phone, rate limit, quiet hours,
            language. Rows are stored in batches; a bad row is reported with its line and field and stored
            nothing, and the others go on. The campaign is an event (its id is --id, or
            campaign-TEMPLATE-TIME): `herald explain ID --contact C` tells one person's story, and running the
            same --id again skips the rows already decided (resume after an interruption). Messages are queued
            for the worker; --send runs it at the end. Exit status 1 when a row was refused.

            Example:
              herald campaign invoice.created --recipients Examples/campaign/customers.csv --param carMake=Peugeot
            """)

    @Argument(help: "The template to send.")
    var template: String

    @Option(help: "Recipients: a .csv file with a header row, or .jsonl.")
    var recipients: String

    @Option(help: "The file's format when its extension does not say: csv or jsonl.")
    var format: String?

    @Option(name: .customLong("param"), help: "A parameter NAME=VALUE for every row (a row's own value wins; repeatable).")
    var params: [String] = []

    @Option(help: "The campaign's id (default: campaign-TEMPLATE-TIME); the same id again resumes.")
    var id: String?

    @Option(help: "Rows stored per transaction.")
    var batch: Int = 2_000

    @Flag(help: "Send the queued messages at the end (the worker, with its retries).")
    var send = false

    @Flag(help: "Decide every row (policy, language, rendering, segments) and store nothing: a preview.")
    var dryRun = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "List each refused row on standard error (the first 20 otherwise).")
    var verbose = false

    @OptionGroup(title: "Sending") var delivery: DeliveryOptions
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1…100000") }
        if let format, !["csv", "jsonl"].contains(format) { throw ValidationError("--format is csv or jsonl") }
        if dryRun && send { throw ValidationError("--dry-run stores and sends nothing: leave out --send") }
    }

    struct Summary: Encodable {
        var campaign: String
        var template: String
        var resumed: Bool
        var rows = 0
        var queued = 0
        var deferred = 0
        var suppressed: [String: Int] = [:]
        var refused = 0
        var skipped = 0
        var segments = 0
        /// True for `--dry-run`: decided, not stored.
        var dryRun = false
        /// Messages by the locale they are written in, and by encoding.
        var byLocale: [String: Int] = [:]
        var byEncoding: [String: Int] = [:]
        var seconds = 0.0
        var rowsPerSecond = 0.0
        var sent: PassSummary?
    }

    func run() async throws {
        let catalog = try loadCatalog(engine.catalog)
        guard let template = catalog.templates[self.template] else {
            throw Self.fail(catalog.unknownTemplate(self.template))
        }
        let common = try parameterPairs(params)
        let kind = format ?? (recipients.lowercased().hasSuffix(".csv") ? "csv" : recipients.lowercased().hasSuffix(".jsonl") || recipients.lowercased().hasSuffix(".ndjson") ? "jsonl" : "")
        guard !kind.isEmpty else { throw Self.fail("\(recipients): say --format csv or jsonl (the extension does not)") }
        let config = try engine.policy.config()
        var reader: RecipientReader
        do { reader = try RecipientReader(path: recipients, csv: kind == "csv", region: config.defaultRegion) } catch {
            throw Self.fail("\(error)")
        }
        if let problem = template.unusableDirectly(parameters: common, columns: reader.columns) { throw Self.fail(problem) }
        let workerConfig = send ? try delivery.workerConfig() : nil

        // A dry run reads the real contacts (their opt-outs and quiet hours) but writes nothing, not even a new file.
        let store: any Storage = dryRun && !FileManager.default.fileExists(atPath: engine.store.path)
            ? try SQLiteStore(path: ":memory:") : try engine.store.open(bulk: !dryRun)
        let now = try engine.clock.clock()
        let campaignID = id ?? "campaign-\(template.id)-\(Renderer.iso8601(ms: Double(now)).filter { $0.isNumber || $0 == "T" })"
        let event = CampaignRun.event(id: campaignID, template: template, common: common, recipients: .string(recipients), now: now)
        let resumed = dryRun ? try await store.hasEvent(campaignID) : !(try await store.register(event, now: now))
        let planner = Planner(renderer: Renderer(catalog: catalog), config: config)
        var summary = Summary(campaign: campaignID, template: template.id, resumed: resumed)
        summary.dryRun = dryRun
        let progress = isatty(STDERR_FILENO) == 1 && !json
        if resumed { FileHandle.standardError.write(Data("campaign \(campaignID) exists: resuming, rows already decided are skipped\n".utf8)) }
        let started = Stopwatch()
        var errors: [String] = []
        var lastDraw: Stopwatch? = nil

        func refuse(_ line: Int, _ text: String) {
            summary.refused += 1
            if verbose || errors.count < 20 { errors.append("\(recipients):\(line): \(text)") }
            if verbose { FileHandle.standardError.write(Data("\(recipients):\(line): \(text)\n".utf8)) }
        }

        let run = CampaignRun(
            store: store, planner: planner, template: template, common: common, event: event, now: now, resumed: resumed,
            dryRun: dryRun)
        do {
            _ = try await run.run(
                next: {
                    do { return try reader.next(batch) } catch { throw Self.fail("\(recipients): \(error)") }
                },
                planned: { batch in
                    summary.rows += batch.rows
                    summary.queued += batch.queued
                    summary.deferred += batch.deferred
                    summary.skipped += batch.skipped
                    summary.segments += batch.segments
                    for (reason, n) in batch.suppressed { summary.suppressed[reason, default: 0] += n }
                    for (line, text) in batch.refused { refuse(line, text) }
                    for case let message? in batch.plans.map(\.message) {
                        summary.byLocale[message.rendered.messageLocale, default: 0] += 1
                        summary.byEncoding[message.rendered.encoding.rawValue, default: 0] += 1
                    }
                    if progress, (lastDraw?.seconds ?? 1) > 0.2 {
                        lastDraw = Stopwatch()
                        let fraction = reader.fraction
                        let filled = Int(fraction * 30)
                        let rate = Double(summary.rows) / max(started.seconds, 0.001)
                        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
                        FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))% \(summary.rows) rows, \(Int(rate))/s  ".utf8))
                    }
                })
        } catch let interrupted as CampaignRun.Interrupted {
            throw Self.fail("database \(store.location): \(interrupted.reason); rows before line \(interrupted.line) are stored, run again with --id \(campaignID) to resume")
        }
        if progress { FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: 72))\r".utf8)) }
        summary.seconds = started.seconds
        summary.rowsPerSecond = Double(summary.rows) / max(summary.seconds, 0.001)
        for e in errors where !verbose { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
        if summary.refused > errors.count, !verbose {
            FileHandle.standardError.write(Data("… and \(summary.refused - errors.count) more refused rows (--verbose lists them)\n".utf8))
        }

        if let workerConfig {
            let sender = try delivery.makeSender(connections: workerConfig.concurrency)
            let worker = Worker(store: store, sender: sender, config: workerConfig, policy: config, logger: makeLogger("herald.campaign"))
            let total = Locked(PassSummary())
            let clockFn = try engine.clock.source()
            let fixed = engine.clock.isFixed
            do {
                try await worker.run(clock: clockFn, poll: 0.5) { pass in
                    let t = total.update { $0.add(pass); return $0 }
                    if progress, t.claimed > 0 {
                        FileHandle.standardError.write(Data("\rsending: \(t.sent) sent, \(t.retry) to retry, \(t.failed) failed  ".utf8))
                    }
                    return try await store.pending(now: clockFn(), futureRetries: !fixed) == 0
                }
            } catch {
                await sender.shutdown()
                throw Self.fail("sending stopped: \(error); the rest stays queued for herald worker")
            }
            await sender.shutdown()
            if progress { FileHandle.standardError.write(Data("\n".utf8)) }
            summary.sent = total.value
        }

        if json {
            try printJSON(summary)
        } else {
            print("campaign \(campaignID) (\(template.id))\(resumed ? ", resumed" : ""): \(summary.rows) rows in \(String(format: "%.2f", summary.seconds))s (\(Int(summary.rowsPerSecond)) rows/s)")
            if dryRun { print("  dry run: every row decided, nothing stored or queued") }
            print("  \(dryRun ? "would be queued" : "queued") to send now: \(summary.queued)")
            print("  \(dryRun ? "would be deferred" : "deferred") (quiet hours): \(summary.deferred)")
            func list(_ counts: [String: Int]) -> String { counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
            if !summary.byLocale.isEmpty { print("  by locale: \(list(summary.byLocale))") }
            if !summary.byEncoding.isEmpty { print("  by encoding: \(list(summary.byEncoding))") }
            let suppressed = summary.suppressed.values.reduce(0, +)
            print("  suppressed: \(suppressed)\(suppressed == 0 ? "" : " (" + summary.suppressed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")")
            if summary.skipped > 0 { print("  already decided (skipped): \(summary.skipped)") }
            print("  refused rows: \(summary.refused)")
            print("  segments: \(summary.segments)")
            if let s = summary.sent { print("  sending: \(WorkerCommand.line(s))") }
        }
        if summary.refused > 0 { throw ExitCode(1) }
    }
}

/// Streams recipients from CSV (RFC 4180: quotes, doubled quotes, quoted newlines) or JSON lines.
struct RecipientReader {
    let handle: FileHandle
    let csv: Bool
    let region: String
    let size: Int
    var consumed = 0
    var buffer: [UInt8] = []
    var position = 0
    var atEnd = false
    var line = 0
    /// The CSV header (nil for JSON lines).
    private(set) var header: [String]?

    var columns: Set<String>? { header.map(Set.init) }
    var fraction: Double { size == 0 ? 1 : min(1, Double(consumed - (buffer.count - position)) / Double(size)) }

    init(path: String, csv: Bool, region: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DeliveryError("cannot read \(path)") }
        self.handle = handle
        self.csv = csv
        self.region = region
        size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        if csv {
            guard let first = try nextRecord() else { throw DeliveryError("\(path) is empty: a header row is needed") }
            header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard header!.contains("contact") || header!.contains("id") || header!.contains("phone") else {
                throw DeliveryError("\(path):1: the header needs a contact (or id) or phone column; it has \(header!.joined(separator: ", "))")
            }
        }
    }

    /// The next line's bytes (without the newline), or nil at the end.
    mutating func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var slice = buffer[position..<newline]
                position = newline + 1
                line += 1
                if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
                return slice
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                var slice = buffer[position...]
                position = buffer.count
                line += 1
                if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
                return slice
            }
            buffer.removeSubrange(0..<position)
            position = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else {
                consumed += chunk.count
                buffer.append(contentsOf: chunk)
            }
        }
    }

    /// The next CSV record (which may span lines inside quotes), with its first line.
    mutating func nextRecord() throws -> (line: Int, fields: [String])? {
        guard var bytes = try nextLine() else { return nil }
        let first = line
        while true {
            if let fields = Self.fields(bytes) { return (first, fields) }
            guard let more = try nextLine() else { return (first, Self.fields(bytes, lenient: true) ?? []) }
            bytes = ArraySlice(Array(bytes) + [UInt8(ascii: "\n")] + Array(more))
        }
    }

    /// The fields of one record; nil when a quote is still open (the record goes on).
    static func fields(_ bytes: ArraySlice<UInt8>, lenient: Bool = false) -> [String]? {
        var out: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.endIndex, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                out.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(b)
            }
            i += 1
        }
        if quoted && !lenient { return nil }
        out.append(String(decoding: field, as: UTF8.self))
        return out
    }

    /// Up to `count` rows; empty at the end. Blank lines are skipped.
    mutating func next(_ count: Int) throws -> [RecipientRow] {
        var rows: [RecipientRow] = []
        rows.reserveCapacity(count)
        while rows.count < count {
            if csv {
                guard let (line, fields) = try nextRecord() else { break }
                if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
                guard fields.count == header!.count else {
                    rows.append(RecipientRow(line: line, person: .failure(RowProblem("\(fields.count) fields; the header has \(header!.count)")), params: [:]))
                    continue
                }
                var values: [String: String] = [:]
                for (k, v) in zip(header!, fields) where !v.isEmpty { values[k] = v }
                rows.append(RecipientRow(line: line, values: values, region: region))
            } else {
                guard let bytes = try nextLine() else { break }
                if !bytes.contains(where: { !$0.isWhitespace }) { continue }
                guard let value = try? JSONValue.parse(bytes) else {
                    rows.append(RecipientRow(line: line, person: .failure(RowProblem("not a JSON object")), params: [:]))
                    continue
                }
                rows.append(RecipientRow(line: line, json: value, region: region))
            }
        }
        return rows
    }
}
