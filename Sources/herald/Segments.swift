import ArgumentParser
import Foundation
import HeraldCore

struct Segments: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count SMS encoding and segments of texts.",
        discussion: """
            With a TEXT argument, prints a readable summary. Without one, reads JSON lines
            {"id": …, "text": …} on stdin and writes one line per input, in order:
            {"id": …, "encoding": "GSM-7"|"UCS-2", "units": N, "segments": N}
            A line that is not such an object gets {"id": null, "line": N, "error": …}, and the exit code is 1.
            """
    )

    @Argument(help: "A text to count; omit to read JSON lines on stdin.")
    var text: String?

    @Option(name: .customLong("keep-gsm"), help: "Apply this locale's GSM-7 policy first; adds \"text\" (the replaced text).")
    var keepGSM: String?

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        var policy: GSMPolicy?
        if let keepGSM {
            let catalog = catalogOptions.load()
            let id = keepGSM.replacingOccurrences(of: "-", with: "_")
            guard let file = catalog.locales[id] ?? catalog.locales.values.first(where: { $0.id == keepGSM }) else {
                let known = catalog.sortedLocales.map(\.id).joined(separator: ", ")
                throw Self.fail("--keep-gsm \(keepGSM): no such locale in \(catalogOptions.localesPath) (have: \(known))")
            }
            policy = file.gsm
        }
        if let text {
            summarize(text, policy: policy)
            return
        }
        if try !stream(policy: policy) { throw ExitCode(1) }
    }

    private func summarize(_ raw: String, policy: GSMPolicy?) {
        var text = raw
        if let policy {
            let kept = GSMKeeper.apply(raw, policy: policy)
            text = kept.text
            for r in kept.replacements {
                print("replaced  \(r.codePoint) → \(r.replacement.isEmpty ? "(removed)" : "'\(r.replacement)'") ×\(r.count)")
            }
        }
        let count = SMS.count(text)
        let unit = count.encoding == .gsm7 ? "septets" : "UTF-16 units"
        print("encoding  \(count.encoding.rawValue)")
        print("units     \(count.units) \(unit)")
        print("segments  \(count.segments)")
        let forced = SMS.nonGSMCharacters(text)
        if !forced.isEmpty {
            print("UCS-2 by  \(forced.prefix(8).map { "\($0.codePoint) \(String($0))" }.joined(separator: ", "))")
        }
        let parts = SMS.parts(text)
        if parts.count > 1 {
            for (index, part) in parts.enumerated() { print("part \(index + 1)    \(part)") }
        }
    }

    /// Streams JSON lines; returns false when some line was not valid.
    private func stream(policy: GSMPolicy?) throws -> Bool {
        var out = JSONLineWriter()
        var lineNumber = 0
        var ok = true
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let text = object["text"] as? String
            else {
                ok = false
                out.error(line: lineNumber, "expected a JSON object with a string \"text\"")
                continue
            }
            let id = object["id"]
            if let policy {
                let kept = GSMKeeper.apply(text, policy: policy)
                out.result(id: id, count: SMS.count(kept.text), text: kept.text)
            } else {
                out.result(id: id, count: SMS.count(text), text: nil)
            }
        }
        out.flush()
        return ok
    }
}

/// Writes JSON lines to stdout in large chunks.
struct JSONLineWriter {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func result(id: Any?, count: SegmentCount, text: String?) {
        append("{\"id\":")
        appendValue(id)
        append(",\"encoding\":\"\(count.encoding.rawValue)\",\"units\":\(count.units),\"segments\":\(count.segments)")
        if let text {
            append(",\"text\":")
            appendString(text)
        }
        append("}\n")
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func error(line: Int, _ message: String) {
        append("{\"id\":null,\"line\":\(line),\"error\":")
        appendString(message)
        append("}\n")
    }

    mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private mutating func appendValue(_ value: Any?) {
        switch value {
        case let string as String: appendString(string)
        case let flag as Bool where type(of: value!) == Bool.self: append(flag ? "true" : "false")
        case let number as NSNumber: append(number.stringValue)
        case nil, is NSNull: append("null")
        default:
            if let data = try? JSONSerialization.data(withJSONObject: value!, options: [.fragmentsAllowed]) {
                buffer.append(contentsOf: data)
            } else {
                append("null")
            }
        }
    }

    private mutating func appendString(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20: append(String(format: "\\u%04x", byte))
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
