import ArgumentParser
import Foundation
import HeraldCore
import HeraldDelivery

struct Ingest: AsyncParsableCommand {
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
              herald event --json --summary-only Examples/events.jsonl
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

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1…100000") }
    }

    func run() async throws {
        let catalog = try loadCatalog(engine.catalog)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: try engine.policy.config())
        let store = try await engine.store.open(bulk: true)
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
        // The next batch is read and checked on a second thread while this one is planned and stored.
        let reader = DispatchQueue(label: "herald.event.read")
        @Sendable func read(_ range: Range<Int>) -> ParsedBatch {
            var batch = ParsedBatch()
            for item in items[range] {
                do {
                    let event = try item.parse(input, catalog: catalog)
                    batch.placeholders.append((item.line, .success(batch.events.count)))
                    batch.events.append(event)
                } catch {
                    batch.placeholders.append((item.line, .failure(error)))
                }
            }
            return batch
        }
        var start = 0
        var current = read(0..<min(batch, items.count))
        while start < items.count {
            let end = min(start + batch, items.count)
            let ahead = Locked<ParsedBatch?>(nil)
            let done = DispatchGroup()
            if end < items.count {
                let range = end..<min(end + batch, items.count)
                reader.async(group: done) { ahead.update { $0 = read(range) } }
            }
            let now = try engine.clock.clock()
            let results: [Result<IngestResult, EventError>]
            do { results = try await store.ingest(current.events, planner: planner, now: now) } catch {
                out.flush()
                done.wait()
                throw Self.fail("database \(store.location): \(error); this batch of \(end - start) events was not stored")
            }
            for (line, placeholder) in current.placeholders {
                let result: Result<IngestResult, EventError>
                switch placeholder {
                case .success(let index): result = results[index]
                case .failure(let error): result = .failure(error)
                }
                tally.add(result)
                if !summaryOnly { out.write(render(result, line: line, file: name, multi: items.count > 1)) }
            }
            out.flush()
            start = end
            if progress {
                FileHandle.standardError.write(Data("\r\(start)/\(items.count) events".utf8))
            }
            done.wait()
            current = ahead.value ?? ParsedBatch()
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

/// A batch of the input read and checked: its events, and for each item (in order) its event's index or why it
/// was refused.
struct ParsedBatch: Sendable {
    var events: [Event] = []
    var placeholders: [(line: Int, result: Result<Int, EventError>)] = []
}

struct EventOutput: Encodable {
    var line: Int
    var event: String?
    var type: String?
    var duplicate: Bool?
    var decisions: [Decision]?
    var error: EventError?
}

/// One event's place in the input, with its line: a value already read (an item of a JSON array, a whole
/// document), a line of JSON lines still to be read, or why the input could not be read.
struct EventInput: Sendable {
    enum Source: Sendable {
        case value(JSONValue)
        case line(Range<Int>)
        case failed(EventError)
    }

    var line: Int
    var source: Source

    /// The event, read from `input` (the bytes `split` was given) and checked against the catalog.
    func parse(_ input: Data, catalog: Catalog) throws(EventError) -> Event {
        switch source {
        case .value(let value): return try Event.parse(value, catalog: catalog)
        case .failed(let error): throw error
        case .line(let range):
            let value: JSONValue
            do {
                value = try input.withUnsafeBytes { raw throws(JSONSyntaxError) in
                    let bytes = raw.bindMemory(to: UInt8.self)
                    return try JSONValue.parse(utf8: UnsafeBufferPointer(rebasing: bytes[range]))
                }
            } catch {
                throw EventError(.malformedJSON, "not valid JSON: \(error)")
            }
            return try Event.parse(value, catalog: catalog)
        }
    }

    /// A single JSON value (an object, or an array of events) or JSON lines. JSON lines are only cut into lines
    /// here (each is read when its batch comes), so a large file is not held as parsed trees all at once.
    static func split(_ data: Data) -> [EventInput] {
        // Read where the bytes lie (offsets from their start, as `parse` reads them), not copied.
        data.withUnsafeBytes { raw in split(raw.bindMemory(to: UInt8.self)) }
    }

    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [EventInput] {
        guard let first = bytes.firstIndex(where: { !$0.isWhitespace }) else { return [] }
        let firstEnd = bytes[first...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let rest = bytes[firstEnd...].contains { !$0.isWhitespace }
        // JSON lines start with a whole value on the first line and have more after it.
        let jsonLines = bytes[first] == UInt8(ascii: "{") && rest && (try? JSONValue.parse(bytes[first..<firstEnd])) != nil
        func lines() -> [EventInput] {
            var out: [EventInput] = []
            var line = 0
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                line += 1
                if bytes[start..<end].contains(where: { !$0.isWhitespace }) {
                    out.append(EventInput(line: line, source: .line(start..<end)))
                }
                start = end + 1
            }
            return out
        }
        if jsonLines { return lines() }
        do {
            let whole = try JSONValue.parse(utf8: bytes)
            if case .array(let list) = whole {
                return list.enumerated().map { EventInput(line: $0 + 1, source: .value($1)) }
            }
            return [EventInput(line: 1, source: .value(whole))]
        } catch {
            // Lines that each start an object, the first one broken: JSON lines, each reported on its own.
            let starts = bytes.split(separator: UInt8(ascii: "\n")).filter { $0.contains { !$0.isWhitespace } }
            if starts.count > 1, starts.allSatisfy({ $0.first { !$0.isWhitespace } == UInt8(ascii: "{") }) {
                return lines()
            }
            return [EventInput(line: 1, source: .failed(EventError(.malformedJSON, "not valid JSON: \(error)")))]
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
