/// A JSON reader and writer for `JSONValue`, on UTF-8 bytes: events arrive by the thousand per second, and
/// Foundation's Codable path costs several times more than the work Herald does with them.
extension JSONValue {
    /// Parses JSON text; the error names the byte offset.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in try parse(utf8: buffer) }
    }

    /// Parses JSON text where it lies (a line of a file read whole), without copying it.
    public static func parse(utf8 buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == buffer.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Compact JSON with keys sorted, as stored.
    public var serialized: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number: out.append(contentsOf: text!.utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let list):
            out.append(UInt8(ascii: "["))
            for (i, item) in list.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            // Keys in order, so the same value is always the same text.
            for (i, member) in object.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Runs that need no escape are copied whole.
            var run = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): out += [0x5C, 0x22]
                case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Where and why JSON text is malformed.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "\(reason) at byte \(offset + 1)" }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 64 else { throw error("nested too deeply") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var object: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                index += 1
                skipSpace()
                guard object[key] == nil else { throw error("the key \"\(key)\" appears twice") }
                object[key] = try value(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                index += 1
                return .object(object)
            }
        case UInt8(ascii: "["):
            index += 1
            var list: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(list)
            }
            while true {
                skipSpace()
                list.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end of input in a list") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                index += 1
                return .array(list)
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            return try number()
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw error("unexpected character") }
        index += count
        return value
    }

    mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            index += 1
            digits += 1
        }
        guard digits > 0 else {
            index = start
            throw error("unexpected character")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fraction = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                index += 1
                fraction += 1
            }
            guard fraction > 0 else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            var exponent = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                index += 1
                exponent += 1
            }
            guard exponent > 0 else { throw error("expected digits in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw error("not a number") }
        return .number(value)
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let s = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard let s else { throw error("text is not valid UTF-8") }
                index += 1
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character inside text (escape it)") }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw error("text is not valid UTF-8") }
                return s
            }
            if byte < 0x20 { throw error("a control character inside text (escape it)") }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("a lone surrogate escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("a lone surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("a lone surrogate escape")
                }
                out += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: throw error("an unknown escape")
            }
        }
        throw error("unterminated text")
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("a bad \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}

extension Decision {
    /// The decision as a JSON value with the same keys as its Codable form.
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "template": .string(template), "audience": .string(audience), "contact": .string(contact),
            "action": .string(action.rawValue), "detail": .string(detail),
            "trace": .array(trace.map { .object(["check": .string($0.check), "outcome": .string($0.outcome), "detail": .string($0.detail)]) }),
        ]
        if let reason { o["reason"] = .string(reason.rawValue) }
        if let category { o["category"] = .string(category) }
        if let dueAt { o["dueAt"] = .string(dueAt) }
        if let expiresAt { o["expiresAt"] = .string(expiresAt) }
        if let messageID { o["messageID"] = .number(Double(messageID)) }
        if let locale { o["locale"] = .string(locale) }
        if let timeZone { o["timeZone"] = .string(timeZone) }
        return .object(o)
    }
}

extension Decision {
    /// ``jsonValue`` as stored (compact, keys sorted), written straight from the fields: a decision is stored for
    /// every person an event reaches, and building the tree first costs as much as the rest of its row.
    public var serialized: String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONValue.writeString(value, to: &out)
        }
        out.append(UInt8(ascii: "{"))
        // In key order: action, audience, category, contact, detail, dueAt, expiresAt, locale, messageID, reason,
        // template, timeZone, trace.
        string("action", action.rawValue)
        string("audience", audience)
        string("category", category)
        string("contact", contact)
        string("detail", detail)
        string("dueAt", dueAt)
        string("expiresAt", expiresAt)
        string("locale", locale)
        if let messageID {
            key("messageID")
            JSONValue.number(Double(messageID)).write(to: &out)
        }
        string("reason", reason?.rawValue)
        string("template", template)
        string("timeZone", timeZone)
        key("trace")
        out.append(UInt8(ascii: "["))
        for (index, step) in trace.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"check\":".utf8)
            JSONValue.writeString(step.check, to: &out)
            out.append(contentsOf: ",\"detail\":".utf8)
            JSONValue.writeString(step.detail, to: &out)
            out.append(contentsOf: ",\"outcome\":".utf8)
            JSONValue.writeString(step.outcome, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}

extension [RuleTrace] {
    /// The traces as stored with their event (compact, keys sorted: candidates, matched, notes, template), written
    /// straight from the fields.
    public var serialized: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func strings(_ list: [String]) {
            out.append(UInt8(ascii: "["))
            for (index, item) in list.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "["))
        for (index, trace) in self.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"candidates\":".utf8)
            strings(trace.candidates)
            out.append(contentsOf: (trace.matched ? ",\"matched\":true,\"notes\":" : ",\"matched\":false,\"notes\":").utf8)
            strings(trace.notes)
            out.append(contentsOf: ",\"template\":".utf8)
            JSONValue.writeString(trace.template, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}

extension RuleTrace {
    public var jsonValue: JSONValue {
        .object([
            "template": .string(template), "matched": .bool(matched), "notes": .array(notes.map(JSONValue.string)),
            "candidates": .array(candidates.map(JSONValue.string)),
        ])
    }
}
