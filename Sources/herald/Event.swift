import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Ingest events: decide who is told, and store every decision and message.",
        discussion: """
            FILE holds one event (a JSON object), a JSON array of events, or JSON lines (one event per line);
            - reads standard input. Each event is {"id", "type", "occurredAt", "data"}; see Events/ for the
            fields each type carries. An event already stored (same id) changes nothing and its stored decisions
            are printed again. A refused event is reported with the field at fault and stores nothing; the
            others are stored. Exit status 1 when any event was refused.

            Example:
              herald event Examples/events/case.assigned.json
              herald event --json --summary-only events.jsonl
            """
    )

    @Argument(help: "A file of events, or - for standard input.")
    var file: String

    @Flag(help: "Print one JSON object per event (decisions, or the error).")
    var json = false

    @Flag(help: "Print only the summary (on standard error), not each event's decisions.")
    var summaryOnly = false

    @Option(help: "Events stored per transaction.")
    var batch: Int = 500

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1…100000") }
    }

    func run() throws {
        let catalog = try loadCatalog(catalogOptions)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: try policy.config())
        let store = try storeOptions.open()
        let input: Data
        if file == "-" {
            input = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Self.fail("cannot read \(file)")
            }
            input = data
        }
        let name = file == "-" ? "<stdin>" : file
        let items = EventInput.split(input)
        var out = OutputBuffer()
        var tally = Tally()
        let started = Stopwatch()
        let progress = isatty(STDERR_FILENO) == 1 && items.count > 5_000
        var start = 0
        while start < items.count {
            let slice = items[start..<min(start + batch, items.count)]
            var events: [Event] = []
            var placeholders: [(line: Int, result: Result<Int, EventError>)] = []
            for item in slice {
                do {
                    let event = try item.parse(catalog: catalog)
                    placeholders.append((item.line, .success(events.count)))
                    events.append(event)
                } catch {
                    placeholders.append((item.line, .failure(error)))
                }
            }
            let now = try clock.clock()
            let results: [Result<IngestResult, EventError>]
            do { results = try store.ingest(events, planner: planner, now: now) } catch {
                out.flush()
                throw Self.fail("database \(store.path): \(error); this batch of \(slice.count) events was not stored")
            }
            for (line, placeholder) in placeholders {
                let result: Result<IngestResult, EventError>
                switch placeholder {
                case .success(let index): result = results[index]
                case .failure(let error): result = .failure(error)
                }
                tally.add(result)
                if !summaryOnly { out.write(render(result, line: line, file: name, multi: items.count > 1)) }
            }
            out.flush()
            start += slice.count
            if progress {
                FileHandle.standardError.write(Data("\r\(start)/\(items.count) events".utf8))
            }
        }
        if progress { FileHandle.standardError.write(Data("\r".utf8)) }
        let seconds = started.seconds
        if items.count > 1 || summaryOnly {
            FileHandle.standardError.write(Data((tally.summary(seconds: seconds) + "\n").utf8))
        }
        if items.isEmpty { throw Self.fail("\(name): no events") }
        if tally.refused > 0 { throw ExitCode(1) }
    }

    /// One for the whole run: `--json` writes a line per event.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func render(_ result: Result<IngestResult, EventError>, line: Int, file: String, multi: Bool) -> String {
        let place = multi ? "\(file):\(line): " : "\(file): "
        if json {
            let encoder = Self.encoder
            let object: EventOutput
            switch result {
            case .success(let r):
                object = EventOutput(line: line, event: r.event, type: r.type, duplicate: r.duplicate, decisions: r.decisions.map {
                    var d = $0
                    d.trace = []
                    return d
                }, error: nil)
            case .failure(let e): object = EventOutput(line: line, event: e.eventID, type: nil, duplicate: nil, decisions: nil, error: e)
            }
            return String(decoding: (try? encoder.encode(object)) ?? Data(), as: UTF8.self) + "\n"
        }
        switch result {
        case .success(let r):
            var text = "\(r.event) \(r.type)\(r.duplicate ? " (already stored; nothing new)" : "")\n"
            if r.decisions.isEmpty { text += "  no one to tell (no rule reached anyone)\n" }
            for d in r.decisions { text += "  \(describe(d))\n" }
            return text
        case .failure(let e):
            return "\(place)error: \(e.eventID.map { "event \($0): " } ?? "")\(e)\n"
        }
    }
}

struct EventOutput: Encodable {
    var line: Int
    var event: String?
    var type: String?
    var duplicate: Bool?
    var decisions: [Decision]?
    var error: EventError?
}

/// One event's text in the input, with its line.
struct EventInput {
    var line: Int
    var value: Result<JSONValue, EventError>

    func parse(catalog: Catalog) throws(EventError) -> Event {
        try Event.parse(try value.get(), catalog: catalog)
    }

    /// A single JSON value (object or array of events) or JSON lines.
    static func split(_ data: Data) -> [EventInput] {
        if let whole = try? JSONValue.parse(data) {
            if case .array(let list) = whole { return list.enumerated().map { EventInput(line: $0 + 1, value: .success($1)) } }
            return [EventInput(line: 1, value: .success(whole))]
        }
        guard let first = data.split(separator: UInt8(ascii: "\n")).first(where: { $0.contains { !$0.isWhitespace } }) else {
            return []
        }
        // JSON lines start with a whole value on the first line; otherwise it is one malformed document: one error.
        if (try? JSONValue.parse(first)) == nil {
            return [EventInput(line: 1, value: Result { () throws(EventError) in try decode(data) })]
        }
        var out: [EventInput] = []
        var line = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            line += 1
            let slice = data[start..<end]
            if slice.contains(where: { !$0.isWhitespace }) {
                out.append(EventInput(line: line, value: Result { () throws(EventError) in try decode(slice) }))
            }
            start = end < data.endIndex ? data.index(after: end) : end
        }
        return out
    }

    static func decode(_ slice: Data) throws(EventError) -> JSONValue {
        do { return try JSONValue.parse(slice) } catch {
            throw EventError(.malformedJSON, "not valid JSON: \(error)")
        }
    }
}

extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

/// Counts for the closing summary.
struct Tally {
    var stored = 0, refused = 0, duplicates = 0
    var actions: [String: Int] = [:]
    var reasons: [String: Int] = [:]
    var segments = 0

    mutating func add(_ result: Result<IngestResult, EventError>) {
        switch result {
        case .success(let r):
            if r.duplicate { duplicates += 1 } else { stored += 1 }
            for d in r.decisions {
                actions[d.action.rawValue, default: 0] += 1
                if let reason = d.reason { reasons[reason.rawValue, default: 0] += 1 }
            }
        case .failure: refused += 1
        }
    }

    func summary(seconds: Double) -> String {
        let total = stored + refused + duplicates
        var text = "\(total) events: \(stored) stored, \(duplicates) already stored, \(refused) refused; decisions:"
        text += " send \(actions["send", default: 0]), defer \(actions["defer", default: 0]), suppress \(actions["suppress", default: 0])"
        if !reasons.isEmpty {
            text += " (" + reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        }
        let rate = seconds > 0 ? Double(total) / seconds : 0
        text += String(format: "; %.2f s, %.0f events/s", seconds, rate)
        return text
    }
}

/// Buffered standard output: one write per batch.
struct OutputBuffer {
    private var buffer = Data()

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
