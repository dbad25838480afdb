import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

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
