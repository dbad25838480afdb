import Foundation
import HeraldCore
import HeraldDelivery

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
