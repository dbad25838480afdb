import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print what they measured (release builds).",
        subcommands: [BenchRender.self, BenchSegments.self, BenchIngest.self, BenchCampaign.self])

    /// The build configuration, said loudly when it is not a release build.
    static var build: String {
        #if DEBUG
        "debug (figures are not representative: swift build -c release)"
        #else
        "release"
        #endif
    }

    /// Prints a bench's figures as one JSON object, keys sorted.
    static func printJSON(_ object: [String: Any]) throws {
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    static func warnIfDebug() {
        #if DEBUG
        FileHandle.standardError.write(Data("warning: this is a DEBUG build; its figures mean nothing. Use .build/release/herald (swift build -c release).\n".utf8))
        #endif
    }
}

/// The render benchmark of `../shared/bench`: the workload's templates, rendered by Herald's own renderer (the
/// path `herald render` and the server use), timed as the peers are, with the same report lines.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the shared benchmark's messages (workload.json × recipients.tsv) and print the peers' report.",
        discussion: """
            Rows are parsed before the clock, as the peers parse theirs: each into a RenderKey (template, locale, time
            zone) and typed values in the template's parameter order, read by Herald's own parameter reader. Timed,
            per row: the renderer's plan for the key (cache lookup; compiled on first use, formatters included) and
            its text. Prints peer, engine, messages, formatters, load_s, wall_s, msgs_per_s, us_per_msg, checksum
            (sha256 of the NFC messages joined by newlines: ICU's raw text, before the GSM-7 policy, so it must equal
            ICU's), then pipeline_msgs_per_s (render + GSM-7 policy + segment count: a RenderedMessage per row),
            named_msgs_per_s (the values as named text, read and typed per message: what an event or an API request
            costs), with --parallel the figures with a renderer shared by one thread per core against one thread,
            and the samples.
            Example: ../shared/bench/run_all.sh --peer herald="$PWD/.build/release/herald bench render"
            """)

    @Option(help: "The workload (default: ../shared/bench/workload.json).")
    var workload: String = "../shared/bench/workload.json"

    @Option(help: "The recipients (default: the workload's recipients file beside it).")
    var recipients: String?

    @Option(help: "Write every message, one a line (NFC), to this file.")
    var dump: String?

    @Option(help: "The name printed as peer.")
    var peerName: String = "herald"

    @Flag(help: "Also render with every core (a renderer shared by one thread per core) and print the speed-up.")
    var parallel = false

    @Option(name: .customLong("threads"), help: "Threads for --parallel (default: the number of cores).")
    var threadCount: Int?

    @Option(help: ArgumentHelp("Repeat the timed render this many times, for a profiler (the figures are the first pass's).", visibility: .hidden))
    var profilePasses: Int = 1

    @Option(help: ArgumentHelp("Repeat the timed pipeline this many times, for a profiler (the figures are the first pass's).", visibility: .hidden))
    var profilePipelinePasses: Int = 1

    func run() throws {
        Bench.warnIfDebug()
        let loadStart = Stopwatch()
        guard let data = FileManager.default.contents(atPath: workload),
            let w = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let templates = w["templates"] as? [String: [String: Any]], let locales = w["locales"] as? [String],
            let zones = w["time_zones"] as? [String], let currency = w["currency"] as? [String: String]
        else { throw Self.fail("\(workload): not a benchmark workload (templates, locales, time_zones, currency)") }
        let recipientsPath = recipients ?? ((workload as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(((w["recipients"] as? [String: Any])?["file"] as? String) ?? "recipients.tsv")
        let order = (w["generator"] as? [String: Any])?["templates_order"] as? [String] ?? templates.keys.sorted()

        // The workload as a catalog: one template file per template, one locale file per locale, in memory.
        var files: [(folder: String, name: String, text: String)] = []
        for (id, t) in templates {
            let args = t["args"] as? [String] ?? []
            var yaml = "id: \(id)\nevent: bench.\(id)\naudience: customer\ncategory: bench\nsegmentBudget: 10\nttl: 24h\nparams:\n"
            for arg in args {
                let kind = arg == "total" ? "{ type: money, currency: \(currency["code"] ?? "TND"), max: 1000000 }"
                    : arg == "when" ? "{ type: datetime }" : arg == "count" ? "{ type: integer, max: 1000000 }" : "{ type: string, maxLength: 1000 }"
                yaml += "  \(arg): \(kind)\n"
            }
            files.append(("templates", "\(id).yaml", yaml))
        }
        for locale in locales {
            var yaml = "locale: \(locale)\n"
            if let code = currency["code"], let symbol = currency["forced_symbol"] { yaml += "currencySymbols:\n  \(code): \(symbol)\n" }
            yaml += "messages:\n"
            for (id, t) in templates {
                guard let text = t[locale] as? String else { continue }
                let quoted = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
                yaml += "  \(id): \(quoted)\n"
            }
            files.append(("locales", "\(locale).yaml", yaml))
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(getpid())").path
        let catalog = Catalog.load(templates: empty + "/T", locales: empty + "/L", events: empty + "/E", extra: files)
        let errors = catalog.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw Self.fail("the workload's templates do not load: \(errors.prefix(3).map(\.description).joined(separator: "; "))") }

        // The rows, parsed before the clock starts.
        guard let tsv = FileManager.default.contents(atPath: recipientsPath) else {
            throw Self.fail("cannot read \(recipientsPath) (../shared/bench/run_all.sh writes it; or gen_recipients.py)")
        }
        var lines = String(decoding: tsv, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw Self.fail("\(recipientsPath) is empty") }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard let ti = header.firstIndex(of: "template"), let li = header.firstIndex(of: "locale"), let zi = header.firstIndex(of: "tz") else {
            throw Self.fail("\(recipientsPath): the header needs template, locale and tz")
        }
        // Each row as the peers hold theirs: one contiguous array of records, typed values in the template's
        // parameter order (parsed by Herald's own parameter reader) in one flat array, the names shared; and the
        // same rows as named text, the way events and API requests arrive.
        var rows: [Row] = []
        var values: [ArgumentValue] = []
        var named: [[String: String]] = []
        var names: [String: String] = [:]
        func interned(_ name: String) -> String {
            if let known = names[name] { return known }
            names[name] = name
            return name
        }
        var keys: [(template: String, locale: String, tz: String)] = []
        rows.reserveCapacity(lines.count)
        named.reserveCapacity(lines.count)
        for line in lines {
            let v = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard v.count >= header.count, let t = templates[v[ti]], let template = catalog.templates[v[ti]] else { continue }
            var parameters: [String: String] = [:]
            for arg in t["args"] as? [String] ?? [] {
                let column = arg == "when" ? "when_ms" : arg
                if let i = header.firstIndex(of: column) { parameters[arg] = v[i] }
            }
            let start = values.count
            for parameter in template.parameters {
                do { values.append(try ParameterValue.parse(parameters[parameter.name] ?? "", as: parameter, timeZone: v[zi])) } catch {
                    throw Self.fail("\(recipientsPath): row \(rows.count + 1): \(error.message)")
                }
            }
            rows.append(Row(key: RenderKey(template: interned(v[ti]), locale: interned(v[li]), timeZone: interned(v[zi])), values: start..<values.count))
            named.append(parameters)
            keys.append((v[ti], v[li], v[zi]))
        }
        let loadSeconds = loadStart.seconds

        // Timed: formatter creation (the renderer's cache starts empty) and every render, into an array. Each row
        // goes through the renderer's plan cache, as every render does.
        let renderer = Renderer(catalog: catalog)
        var messages: [String] = []
        messages.reserveCapacity(rows.count)
        var wall = 0.0
        do {
            // The rows and values are read where they lie, as the peers read theirs.
            try rows.withUnsafeBufferPointer { (rows) throws(RenderError) in
                try values.withUnsafeBufferPointer { (values) throws(RenderError) in
                    let start = DispatchTime.now().uptimeNanoseconds
                    for index in rows.indices {
                        messages.append(try renderer.plan(rows[index].key).text(UnsafeBufferPointer(rebasing: values[rows[index].values])))
                    }
                    wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    for _ in 1..<max(1, profilePasses) {
                        for index in rows.indices {
                            messages[index] = try renderer.plan(rows[index].key).text(UnsafeBufferPointer(rebasing: values[rows[index].values]))
                        }
                    }
                }
            }
        } catch {
            throw Self.fail("render failed: \(error.message)")
        }

        // Herald's whole path per message: render, GSM-7 policy, segment count (formatters already cached).
        var segments = 0
        var pipelineWall = 0.0, namedWall = 0.0
        do {
            let start = DispatchTime.now().uptimeNanoseconds
            for index in rows.indices {
                let row = rows[index]
                segments &+= try renderer.plan(row.key)
                    .render(values[row.values]).segments
            }
            pipelineWall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            for _ in 1..<max(1, profilePipelinePasses) {
                for index in rows.indices {
                    let row = rows[index]
                    segments &+= try renderer.plan(row.key).render(values[row.values]).segments
                }
            }
            // The same with the values as named text, read and typed per message: what an event or an API call costs.
            let namedStart = DispatchTime.now().uptimeNanoseconds
            for index in rows.indices {
                let row = rows[index]
                _ = try renderer.renderText(
                    RenderRequest(template: row.template, locale: row.locale, timeZone: row.timeZone, parameters: named[index]))
            }
            namedWall = Double(DispatchTime.now().uptimeNanoseconds - namedStart) / 1e9
        } catch {
            throw Self.fail("render failed: \(error.message)")
        }

        // Both cores (or --threads): a fresh renderer shared by every thread, each rendering its share of the rows.
        var parallel: (threads: Int, wall: Double, single: Double, same: Bool)?
        if self.parallel {
            let threads = max(1, threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
            // The comparison: one thread, a fresh renderer, the process as warm as for the threads that follow.
            let alone = Renderer(catalog: catalog)
            var single: [String] = []
            single.reserveCapacity(rows.count)
            let singleStart = DispatchTime.now().uptimeNanoseconds
            for index in rows.indices {
                let row = rows[index]
                single.append(try alone.plan(row.key).text(values[row.values]))
            }
            let singleWall = Double(DispatchTime.now().uptimeNanoseconds - singleStart) / 1e9
            single = []
            let shared = Renderer(catalog: catalog)
            let chunk = (rows.count + threads - 1) / threads
            // Each thread its own rows, as each request brings its own: no reference count of the input shared
            // between the cores.
            func own(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
            let inputs: [(rows: [Row], values: [ArgumentValue])] = (0..<threads).map { part in
                var ownRows: [Row] = []
                var ownValues: [ArgumentValue] = []
                var names: [String: String] = [:]
                func name(_ text: String) -> String {
                    if let known = names[text] { return known }
                    let copy = own(text)
                    names[text] = copy
                    return copy
                }
                for row in rows[(part * chunk)..<min(rows.count, (part + 1) * chunk)] {
                    let start = ownValues.count
                    for value in values[row.values] {
                        switch value {
                        case .string(let text): ownValues.append(.string(own(text)))
                        case .decimal(let text): ownValues.append(.decimal(own(text)))
                        default: ownValues.append(value)
                        }
                    }
                    ownRows.append(Row(
                        key: RenderKey(template: name(row.template), locale: name(row.locale), timeZone: name(row.timeZone)),
                        values: start..<ownValues.count))
                }
                return (ownRows, ownValues)
            }
            let results = Mutex<[Int: [String]]>([:])
            let failed = Mutex<String?>(nil)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                let (rows, values) = inputs[part]
                var out: [String] = []
                out.reserveCapacity(rows.count)
                do {
                    for index in rows.indices {
                        let row = rows[index]
                        out.append(try shared.plan(row.key).text(values[row.values]))
                    }
                } catch {
                    failed.withLock { $0 = (error as? RenderError)?.message ?? "\(error)" }
                }
                results.withLock { $0[part] = out }
            }
            let parallelWall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let message = failed.withLock({ $0 }) { throw Self.fail("render failed: \(message)") }
            let joined = results.withLock { r in (0..<threads).flatMap { r[$0] ?? [] } }
            parallel = (threads, parallelWall, singleWall, joined == messages)
        }

        var hash = SHA256()
        var samples: [String: String] = [:]
        var out = dump.flatMap { FileManager.default.createFile(atPath: $0, contents: nil) ? FileHandle(forWritingAtPath: $0) : nil }
        var buffer = Data()
        for (i, message) in messages.enumerated() {
            let nfc = message.precomposedStringWithCanonicalMapping
            if i > 0 { hash.update(data: Data([0x0A])) }
            hash.update(data: Data(nfc.utf8))
            if out != nil {
                buffer.append(contentsOf: nfc.utf8)
                buffer.append(0x0A)
                if buffer.count > 1 << 20 { out?.write(buffer); buffer.removeAll(keepingCapacity: true) }
            }
            let k = "\(keys[i].template)/\(keys[i].locale)"
            if samples[k] == nil { samples[k] = nfc }
            if keys[i].template == "appointment", samples[k + "/" + keys[i].tz] == nil { samples[k + "/" + keys[i].tz] = nfc }
        }
        out?.write(buffer)
        try? out?.close()
        out = nil

        print("peer: \(peerName)")
        print("engine: Herald renderer (ICU \(ICU.version) through compiled MessagePattern slots), Swift, \(Bench.build)")
        print("messages: \(messages.count)")
        print("formatters: \(renderer.cachedFormatters)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print(String(format: "load_s: %.3f", loadSeconds))
        print(String(format: "wall_s: %.4f", wall))
        print(String(format: "msgs_per_s: %.0f", Double(messages.count) / wall))
        print(String(format: "us_per_msg: %.3f", wall * 1e6 / Double(messages.count)))
        print("checksum: \(hash.finalize().map { String(format: "%02x", $0) }.joined())")
        print(String(format: "pipeline_msgs_per_s: %.0f", Double(messages.count) / pipelineWall))
        print(String(format: "pipeline_us_per_msg: %.3f", pipelineWall * 1e6 / Double(messages.count)))
        print("pipeline_segments: \(segments)")
        print(String(format: "named_msgs_per_s: %.0f", Double(messages.count) / namedWall))
        print(String(format: "named_us_per_msg: %.3f", namedWall * 1e6 / Double(messages.count)))
        if let parallel {
            print("parallel_threads: \(parallel.threads)")
            print(String(format: "parallel_msgs_per_s: %.0f", Double(messages.count) / parallel.wall))
            print(String(format: "parallel_single_msgs_per_s: %.0f", Double(messages.count) / parallel.single))
            print(String(format: "parallel_speedup: %.2f", parallel.single / parallel.wall))
            print("parallel_output_identical: \(parallel.same ? "yes" : "NO")")
        }
        for t in order {
            for l in locales {
                let k = "\(t)/\(l)"
                print("sample[\(k)]: \(Self.escape(samples[k] ?? ""))")
                if t == "appointment" {
                    for z in zones { print("sample[\(k)/\(z)]: \(Self.escape(samples[k + "/" + z] ?? ""))") }
                }
            }
        }
    }

    /// One recipient row, parsed; its values are a range of one flat array.
    struct Row: Sendable {
        var key: RenderKey
        var values: Range<Int>
        var template: String { key.template }
        var locale: String { key.locale }
        var timeZone: String { key.timeZone }
    }

    /// As the peers print samples: control and invisible characters as `<U+XXXX>`.
    static func escape(_ s: String) -> String {
        let invisible: Set<UInt32> = [0x00A0, 0x202F, 0x2009, 0x200B, 0x200E, 0x200F, 0x061C, 0x2007, 0x2060, 0xFEFF]
        var out = ""
        for scalar in s.unicodeScalars {
            let c = scalar.value
            if c < 0x20 || (0x7F...0xA0).contains(c) || invisible.contains(c) {
                out += String(format: "<U+%04X>", c)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Encoding and segment counting over a corpus of realistic messages.
struct BenchSegments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Count encodings and segments over a generated corpus (ASCII, French, Amharic, emoji; 20–600 characters).",
        discussion: """
            Prints ns per message over the whole corpus and per kind, MB/s, and ns for one 160-character GSM-7
            message (the target is ≤ 50 ns). The corpus is generated from a seed, so runs compare.
            """)

    @Option(help: "Messages in the corpus.")
    var messages: Int = 100_000

    @Option(help: "Passes over the corpus (the best is reported).")
    var passes: Int = 5

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func run() throws {
        Bench.warnIfDebug()
        var generator = SplitMix(seed: 20_261_124)
        let corpus = (0..<max(1, messages)).map { _ in SegmentCorpus.message(&generator) }
        let bytes = corpus.reduce(0) { $0 + $1.text.utf8.count }

        // The whole corpus, as the planner counts every message it stores.
        var best = Double.infinity
        var check = 0
        for _ in 0..<max(1, passes) {
            let start = DispatchTime.now().uptimeNanoseconds
            for message in corpus { check &+= SMS.count(message.text).units }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        var kinds: [(String, Double, Int)] = []
        for kind in SegmentCorpus.Kind.allCases {
            let texts = corpus.filter { $0.kind == kind }.map(\.text)
            guard !texts.isEmpty else { continue }
            var kindBest = Double.infinity
            for _ in 0..<max(1, passes) {
                let start = DispatchTime.now().uptimeNanoseconds
                for text in texts { check &+= SMS.count(text).segments }
                kindBest = min(kindBest, Double(DispatchTime.now().uptimeNanoseconds - start))
            }
            kinds.append((kind.rawValue, kindBest / Double(texts.count), texts.count))
        }
        // One 160-character GSM-7 message, counted over and over.
        let sms160 = String(SegmentCorpus.englishWords.joined(separator: " ").prefix(160))
        precondition(sms160.count == 160 && SMS.count(sms160).encoding == .gsm7)
        let repeats = 2_000_000
        var best160 = Double.infinity
        for _ in 0..<max(1, passes) {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { check &+= SMS.count(sms160).units }
            best160 = min(best160, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        let nsPerMessage = best / Double(corpus.count)
        let mbPerSecond = Double(bytes) / (best / 1e9) / 1e6
        let ns160 = best160 / Double(repeats)
        if json {
            var object: [String: Any] = [
                "bench": "segments", "build": Bench.build, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "messages": corpus.count, "bytes": bytes, "ns_per_msg": nsPerMessage, "mb_per_s": mbPerSecond,
                "ns_per_160_gsm7": ns160, "check": check,
            ]
            for (kind, ns, _) in kinds { object["ns_per_msg_\(kind)"] = ns }
            try Bench.printJSON(object)
            return
        }
        print("bench: segments (SMS.count: encoding, units, segments)")
        print("build: \(Bench.build)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("messages: \(corpus.count) (\(bytes) bytes of UTF-8), best of \(max(1, passes)) passes")
        print(String(format: "ns_per_msg: %.1f", nsPerMessage))
        print(String(format: "mb_per_s: %.0f", mbPerSecond))
        for (kind, ns, count) in kinds { print(String(format: "ns_per_msg[%@]: %.1f (%d messages)", kind, ns, count)) }
        print(String(format: "ns_per_160_char_gsm7: %.1f (target <= 50)", ns160))
        print("check: \(check)")
    }
}

/// A deterministic pseudo-random sequence (SplitMix64), so generated corpora and recipients repeat exactly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }
}

/// Messages of the kinds Herald sends: plain ASCII, French with accents and typographic spaces, Amharic, and
/// text with emoji; 20 to 600 characters.
enum SegmentCorpus {
    enum Kind: String, CaseIterable { case ascii, french, amharic, emoji }

    static let englishWords = "Hello Amine, your car service is complete. Your invoice F-2026-0042 of DT 1,234.500 is ready. Reply STOP to opt out. Your appointment is on Monday 23 November at 09:30. Thank you for your trust.".split(separator: " ").map(String.init)
    static let frenchWords = "Bonjour Sélim, votre véhicule est prêt. La facture F-2026-0042 de 1\u{202F}234,500\u{00A0}DT a été émise. Rendez-vous lundi 23 novembre à 09:30. Répondez ARRÊT pour ne plus recevoir de messages. Merci de votre confiance, à bientôt !".split(separator: " ").map(String.init)
    static let amharicWords = "ሰላም አበበ፣ የመኪናዎ አገልግሎት ተጠናቋል። የ DT 1,234.500 ደረሰኝ ተዘጋጅቷል። ቀጠሮዎ ሰኞ 09:30 ላይ ነው። ስለ እምነትዎ እናመሰግናለን።".split(separator: " ").map(String.init)
    static let emoji = ["🚗", "✅", "📅", "🔧", "👍", "🎉"]

    static func message(_ g: inout SplitMix) -> (kind: Kind, text: String) {
        let kind = Kind.allCases[g.below(Kind.allCases.count)]
        let length = 20 + g.below(581)
        var text = ""
        let words = kind == .french ? frenchWords : kind == .amharic ? amharicWords : englishWords
        while text.count < length {
            if !text.isEmpty { text += " " }
            text += kind == .emoji && g.below(5) == 0 ? g.pick(emoji) : g.pick(words)
        }
        return (kind, String(text.prefix(length)))
    }
}

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

/// A campaign to a million generated recipients, through `herald campaign`'s own path, timed with its peak memory.
struct BenchCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Run invoice.created to N generated recipients (default 1,000,000) into a fresh database; print wall time and peak RSS.",
        discussion: """
            The recipients are generated from a seed: fr, en and am; Africa/Tunis, Europe/Paris, America/New_York
            and Africa/Addis_Ababa (10 % of rows, where it is 22:30 at the campaign's time: their quiet hours, so
            their messages wait for the morning); 5 % are stored beforehand as opted out. The CSV is written to a
            temporary folder first (not timed), then `herald campaign` runs in this process. Peak RSS is the
            process's (getrusage). The database and the CSV are deleted afterwards unless --keep.
            """)

    @Option(help: "Recipients.")
    var recipients: Int = 1_000_000

    @OptionGroup var scratch: BenchScratch

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() async throws {
        Bench.warnIfDebug()
        let folder = try scratch.folder("campaign")
        defer { scratch.clean(folder) }
        let csv = folder + "/recipients.csv", db = folder + "/campaign.sqlite"

        // The recipients, written as a CSV a backend would export; opted-out people stored beforehand.
        var g = SplitMix(seed: 1_000_000)
        FileManager.default.createFile(atPath: csv, contents: nil)
        guard let out = FileHandle(forWritingAtPath: csv) else { throw Self.fail("cannot write \(csv)") }
        var buffer = Data("id,phone,language,timeZone,firstName,invoiceNumber,total\n".utf8)
        var optedOut: [(String, String)] = []
        let names = ["Amine", "Sélim", "Nour", "Abebe", "Marie", "John", "Hana", "Yonas"]
        for n in 0..<recipients {
            let roll = g.below(100)
            let zone = roll < 10 ? "Africa/Addis_Ababa" : ["Africa/Tunis", "Africa/Tunis", "Europe/Paris", "America/New_York"][g.below(4)]
            let language = ["fr", "en", "am"][g.below(3)]
            let phone = zone == "Africa/Addis_Ababa" ? "+2519\(10_000_000 + g.below(89_999_999))" : "+2162\(1_000_000 + g.below(8_999_999))"
            let id = "c-\(n)"
            if g.below(100) < 5 { optedOut.append((id, phone)) }
            buffer.append(contentsOf: "\(id),\(phone),\(language),\(zone),\(g.pick(names)),F-2026-\(n),\(g.below(100_000)).\(g.below(1000))\n".utf8)
            if buffer.count > 1 << 20 {
                out.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(buffer)
        try out.close()
        let store = try SQLiteStore(path: db, bulk: true)
        // Through the one preference path, as an import of opt-outs would go.
        try await store.updateContacts(
            optedOut.map { person in
                (id: person.0, change: { (c: inout Contact) in
                    c.phone = person.1
                    c.optedOutAll = true
                })
            }, now: 0, policy: try PolicyOptions.config(), source: "herald bench campaign")
        optedOut = []

        var arguments = [
            "invoice.created", "--recipients", csv, "--param", "carMake=Peugeot", "--param", "carModel=208",
            "--db", db, "--now", "2026-11-23T19:30:00Z", "--id", "bench",
        ]
        if let templates = catalogOptions.templates { arguments += ["--templates", templates] }
        if let locales = catalogOptions.locales { arguments += ["--locales", locales] }
        if let events = catalogOptions.events { arguments += ["--events", events] }
        let campaign = try Campaign.parse(arguments)
        let start = DispatchTime.now().uptimeNanoseconds
        try await campaign.run()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        let counts = try await store.messageCounts().map { ($0.key, $0.value) }
        let decided = try await store.campaignCounts("bench")
        let decisions = [("send ", decided.queued), ("defer ", decided.deferred)].filter { $0.1 > 0 }
            + decided.suppressed.map { ("suppress \($0.key)", $0.value) }
        if json {
            let object: [String: Any] = [
                "bench": "campaign", "build": Bench.build, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "recipients": recipients, "wall_s": wall, "rows_per_s": Double(recipients) / wall, "peak_rss_mb": peakMB,
                "messages": Dictionary(uniqueKeysWithValues: counts), "decisions": Dictionary(uniqueKeysWithValues: decisions),
            ]
            try Bench.printJSON(object)
            return
        }
        print("bench: campaign (invoice.created to generated recipients; herald campaign's own path; WAL, synchronous=FULL)")
        print("build: \(Bench.build)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("recipients: \(recipients) (5 % opted out beforehand, 10 % in their quiet hours)")
        print(String(format: "wall_s: %.1f (target <= 60 for 1,000,000)", wall))
        print(String(format: "rows_per_s: %.0f", Double(recipients) / wall))
        print(String(format: "peak_rss_mb: %.0f (target <= 300)", peakMB))
        print("messages: " + counts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        print("decisions: " + decisions.map { "\($0.0.trimmingCharacters(in: .whitespaces)) \($0.1)" }.joined(separator: ", "))
    }
}

/// Where a bench that writes files works: a folder of its own, deleted afterwards unless --keep.
struct BenchScratch: ParsableArguments {
    @Option(help: "Folder to work in (default: the system's temporary folder).")
    var directory: String?

    @Flag(help: "Keep the files the bench wrote (database, CSV).")
    var keep = false

    func folder(_ bench: String) throws -> String {
        let folder = (directory ?? FileManager.default.temporaryDirectory.path) + "/herald-bench-\(bench)-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Herald.fail("cannot create \(folder): \(error.localizedDescription)")
        }
        return folder
    }

    func clean(_ folder: String) {
        if !keep { try? FileManager.default.removeItem(atPath: folder) }
    }
}
