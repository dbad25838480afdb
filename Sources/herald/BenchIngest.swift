import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

/// Events through rules, policy, rendering and the durable SQLite outbox, in-process.
struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest generated events into a fresh SQLite file (WAL, synchronous=FULL) in batches of 1 and 500.",
        discussion: """
            The events are the seed examples (Examples/events) with new ids and up to 100,000 distinct people, so
            contacts are created and updated. Each batch is one transaction, on disk when it returns: the figures
            are events/s and the latency of one batch (p50, p99). The database is deleted afterwards unless --keep.
            """)

    @Option(help: "Events ingested with batch size 1.")
    var singles: Int = 3_000

    @Option(name: .customLong("count"), help: "Events ingested in batches of --batch.")
    var events: Int = 100_000

    @Option(help: "Events per transaction for the batched run.")
    var batch: Int = 500

    @OptionGroup var scratch: BenchScratch

    @Option(help: "Folder of the example events.")
    var examples: String = "Examples/events"

    @Option(help: """
        The time the events are ingested at, ISO 8601 with an offset (default: \(Self.examplesDay), the day the example \
        events are written for, so every run makes the same sends and defers whatever the date).
        """)
    var now: String = Self.examplesDay

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    /// The instant the examples in `Examples/events` are written for: their appointment lies ahead of it.
    static let examplesDay = "2026-11-23T12:00:00Z"

    func run() async throws {
        Bench.warnIfDebug()
        let catalog = try loadCatalog(catalogOptions)
        let now = try ClockOptions.instant(now)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: try PolicyOptions.config())
        let files = (try? FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".json") }.sorted()) ?? []
        var models: [JSONValue] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: examples + "/" + file) else { continue }
            models.append(try JSONValue.parse(data))
        }
        guard !models.isEmpty else { throw Self.fail("\(examples): no example events (*.json)") }
        let folder = try scratch.folder("ingest")
        defer { scratch.clean(folder) }
        let path = folder + "/ingest.sqlite"
        let store = try SQLiteStore(path: path, bulk: true)
        // Events parsed before the clock (as the API parses a request before it reaches the store).
        func generate(_ range: Range<Int>) throws -> [Event] {
            try range.map { n in
                var value = Self.varied(models[n % models.count], n: n)
                if case .object(var object) = value {
                    object["id"] = .string("bench-\(n)")
                    value = .object(object)
                }
                return try Event.parse(value, catalog: catalog)
            }
        }
        func measure(_ events: [Event], batch: Int) async throws -> (wall: Double, latencies: [Double], decisions: Int, messages: Int) {
            var latencies: [Double] = []
            var decisions = 0, messages = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var index = 0
            while index < events.count {
                let slice = Array(events[index..<min(index + batch, events.count)])
                let t = DispatchTime.now().uptimeNanoseconds
                let results = try await store.ingest(slice, planner: planner, now: now)
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                for case .success(let r) in results {
                    decisions += r.decisions.count
                    messages += r.decisions.filter { $0.messageID != nil }.count
                }
                index += batch
            }
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, latencies.sorted(), decisions, messages)
        }
        let single = try await measure(try generate(0..<singles), batch: 1)
        let batched = try await measure(try generate(singles..<(singles + events)), batch: max(1, batch))
        func percentile(_ sorted: [Double], _ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        let rows: [(String, Int, Int, (wall: Double, latencies: [Double], decisions: Int, messages: Int))] = [
            ("batch_1", 1, singles, single), ("batch_\(batch)", batch, events, batched),
        ]
        // A run that made no message measured nothing worth a figure (events refused, expired or suppressed).
        for (name, _, count, r) in rows where count > 0 && r.messages == 0 {
            throw Self.fail("""
                \(name): \(count) events made \(r.decisions) decisions and no message at \(Renderer.iso8601(ms: Double(now))); \
                no events/s figure is printed for a run that sent nothing (check --now against the examples' dates)
                """)
        }
        if json {
            var object: [String: Any] = ["bench": "ingest", "build": Bench.build, "cores": ProcessInfo.processInfo.activeProcessorCount]
            for (name, size, count, r) in rows {
                object[name] = [
                    "batch": size, "events": count, "events_per_s": Double(count) / r.wall,
                    "p50_ms": percentile(r.latencies, 0.5), "p99_ms": percentile(r.latencies, 0.99),
                    "decisions": r.decisions, "messages": r.messages,
                ] as [String: Any]
            }
            try Bench.printJSON(object)
            return
        }
        print("bench: ingest (rules, policy, rendering, SQLite outbox; WAL, synchronous=FULL; one transaction per batch)")
        print("build: \(Bench.build)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("database: \(path)\(scratch.keep ? "" : " (deleted)")")
        for (name, size, count, r) in rows {
            print(String(
                format: "%@: %d events in batches of %d, %.0f events/s, batch p50 %.3f ms, p99 %.3f ms, %d decisions, %d messages",
                name, count, size, Double(count) / r.wall, percentile(r.latencies, 0.5), percentile(r.latencies, 0.99),
                r.decisions, r.messages))
        }
    }

    /// The example with its people's ids varied over 100,000 values (phones kept: they are valid).
    static func varied(_ value: JSONValue, n: Int) -> JSONValue {
        switch value {
        case .object(var object):
            for (key, inner) in object {
                if key == "id", case .string(let id) = inner, object["phone"] != nil {
                    object[key] = .string("\(id)-\(n % 100_000)")
                } else {
                    object[key] = varied(inner, n: n)
                }
            }
            return .object(object)
        case .array(let items): return .array(items.map { varied($0, n: n) })
        default: return value
        }
    }
}
