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
        let store: any Storage = dryRun && !engine.store.isPostgres && !FileManager.default.fileExists(atPath: engine.store.path)
            ? try SQLiteStore(path: ":memory:") : try await engine.store.open(bulk: !dryRun)
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
