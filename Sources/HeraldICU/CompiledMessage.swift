import CICUShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an argument is passed to ICU; declared when a message is compiled.
public enum ArgumentKind: Int32, Sendable {
    case string = 0
    case integer = 1
    case double = 2
    /// An exact decimal number, passed as text ("1234.5") so no binary rounding happens.
    case decimal = 3
    /// An instant, passed as epoch milliseconds.
    case date = 4
}

/// One argument value for ``CompiledMessage/format(_:)``.
public enum ArgumentValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case decimal(String)
    case date(epochMilliseconds: Double)

    public var kind: ArgumentKind {
        switch self {
        case .string: .string
        case .integer: .integer
        case .double: .double
        case .decimal: .decimal
        case .date: .date
        }
    }
}

/// An error reported by ICU or by the shim, with the UTF-16 offset into the pattern when known.
public struct ICUMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        case syntax = 1, unknownArgument, argumentType, locale, timeZone, format, unsupported, missingOther
    }
    public let code: Code
    /// UTF-16 offset into the pattern, when the error is in the pattern.
    public let offset: Int?
    public let message: String

    public var description: String { message }

    init(_ error: hr_error) {
        var error = error
        code = Code(rawValue: error.code) ?? .format
        offset = error.offset >= 0 ? Int(error.offset) : nil
        message = withUnsafeBytes(of: &error.message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }
}

/// An ICU MessageFormat pattern compiled for one locale and one time zone.
///
/// Immutable once created, so one instance serves many tasks at once. Compiling costs far more
/// than formatting: cache instances (see `MessageCache` in HeraldCore).
public final class CompiledMessage: @unchecked Sendable {
    private let handle: OpaquePointer
    /// The declared arguments, in the order ``format(_:)`` takes their values.
    public let arguments: [(name: String, kind: ArgumentKind)]

    /// - Parameters:
    ///   - pattern: ICU MessageFormat text with named arguments.
    ///   - locale: an ICU locale id, keywords allowed (`am_ET@calendar=ethiopic`).
    ///   - timeZone: an IANA id; every date and time in the message is shown in it.
    ///   - currencySymbols: symbol overrides by ISO code (`["TND": "DT"]`).
    public init(
        pattern: String, locale: String, timeZone: String,
        arguments: [(name: String, kind: ArgumentKind)], currencySymbols: [String: String] = [:]
    ) throws(ICUMessageError) {
        self.arguments = arguments
        var error = hr_error()
        let codes = currencySymbols.keys.sorted()
        let created: OpaquePointer? = withCStrings(arguments.map(\.name) + codes + codes.map { currencySymbols[$0]! }) {
            cstrings in
            let names = Array(cstrings[0..<arguments.count])
            let symbolCodes = cstrings[arguments.count..<(arguments.count + codes.count)]
            let symbolTexts = cstrings[(arguments.count + codes.count)...]
            let symbols = zip(symbolCodes, symbolTexts).map { hr_currency_symbol(code: $0, symbol: $1) }
            let kinds = arguments.map(\.kind.rawValue)
            var utf8Pattern = pattern
            return utf8Pattern.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    hr_message_create(
                        chars.baseAddress, Int32(chars.count), locale, timeZone, names, kinds, Int32(arguments.count),
                        symbols, Int32(symbols.count), &error)
                }
            }
        }
        guard let created else { throw ICUMessageError(error) }
        handle = created
    }

    deinit { hr_message_free(handle) }

    /// Whether the pattern uses the declared argument at `index`.
    public func uses(argumentAt index: Int) -> Bool { hr_message_uses(handle, Int32(index)) != 0 }

    /// The variant keys of the `select` on `name`, or nil when the pattern has none.
    public func selectKeys(of name: String) -> [String]? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = hr_message_select_keys(handle, name, &buffer, Int32(buffer.count))
        guard length >= 0 else { return nil }
        let text = buffer[0..<min(Int(length), buffer.count)].withUnsafeBufferPointer {
            String(decoding: UnsafeRawBufferPointer($0), as: UTF8.self)
        }
        return text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Formats the message; `values` are in the declared order and of the declared kinds.
    public func format(_ values: [ArgumentValue]) throws(ICUMessageError) -> String {
        // All text arguments share one UTF-8 buffer that stays alive for the call.
        var storage: [UInt8] = []
        var ranges: [(Int, Int)] = []
        ranges.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .string(let text), .decimal(let text):
                let start = storage.count
                storage.append(contentsOf: text.utf8)
                ranges.append((start, storage.count - start))
            default:
                ranges.append((0, 0))
            }
        }
        var error = hr_error()
        let result: String? = storage.withUnsafeBufferPointer { raw in
            let base = UnsafeRawPointer(raw.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var args = [hr_arg]()
            args.reserveCapacity(values.count)
            for (value, range) in zip(values, ranges) {
                var arg = hr_arg()
                arg.kind = value.kind.rawValue
                switch value {
                case .string, .decimal:
                    arg.utf8 = base.map { $0 + range.0 } ?? UnsafePointer(bitPattern: 1)
                    arg.utf8_len = Int32(range.1)
                case .integer(let i): arg.i = i
                case .double(let d): arg.d = d
                case .date(let ms): arg.d = ms
                }
                args.append(arg)
            }
            return args.withUnsafeBufferPointer { argp in
                var needed: Int32 = 0
                let first = String(unsafeUninitializedCapacity: 1024) { out in
                    needed = out.withMemoryRebound(to: CChar.self) { chars in
                        hr_message_format(handle, argp.baseAddress, Int32(argp.count), chars.baseAddress, 1024, &error)
                    }
                    return needed >= 0 && needed <= 1024 ? Int(needed) : 0
                }
                if needed < 0 { return nil }
                if needed <= 1024 { return first }
                return String(unsafeUninitializedCapacity: Int(needed)) { out in
                    let again = out.withMemoryRebound(to: CChar.self) { chars in
                        hr_message_format(
                            handle, argp.baseAddress, Int32(argp.count), chars.baseAddress, needed, &error)
                    }
                    return again == needed ? Int(again) : 0
                }
            }
        }
        guard let result else { throw ICUMessageError(error) }
        return result
    }
}

/// Calls `body` with NUL-terminated copies of `strings` that live for the duration of the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}

extension CompiledMessage {
    /// Formats `pattern` with ICU's own `icu::MessageFormat` (top-level dates in `timeZone`, currency symbol
    /// overrides applied): the reference that differential tests hold ``format(_:)`` to.
    public static func referenceFormat(
        pattern: String, locale: String, timeZone: String, arguments: [(name: String, value: ArgumentValue)],
        currencySymbols: [String: String] = [:]
    ) throws(ICUMessageError) -> String {
        let codes = currencySymbols.keys.sorted()
        var error = hr_error()
        let result: String? = withCStrings(
            arguments.map(\.name) + codes + codes.map { currencySymbols[$0]! }
                + arguments.map { if case .string(let s) = $0.value { s } else if case .decimal(let s) = $0.value { s } else { "" } }
        ) { cstrings in
            let n = arguments.count
            let names = Array(cstrings[0..<n])
            let symbols = zip(cstrings[n..<(n + codes.count)], cstrings[(n + codes.count)..<(n + 2 * codes.count)])
                .map { hr_currency_symbol(code: $0, symbol: $1) }
            let texts = Array(cstrings[(n + 2 * codes.count)...])
            var args = [hr_arg]()
            for (index, argument) in arguments.enumerated() {
                var arg = hr_arg()
                arg.kind = argument.value.kind.rawValue
                switch argument.value {
                case .string, .decimal:
                    arg.utf8 = texts[index]
                    arg.utf8_len = Int32(strlen(texts[index]!))
                case .integer(let i): arg.i = i
                case .double(let d): arg.d = d
                case .date(let ms): arg.d = ms
                }
                args.append(arg)
            }
            var buffer = [CChar](repeating: 0, count: 8192)
            let length = hr_reference_format(
                pattern, Int32(pattern.utf8.count), locale, timeZone, names, args, Int32(n), symbols,
                Int32(symbols.count), &buffer, Int32(buffer.count), &error)
            guard length >= 0, length <= buffer.count else { return nil }
            return buffer[0..<Int(length)].withUnsafeBufferPointer {
                String(decoding: UnsafeRawBufferPointer($0), as: UTF8.self)
            }
        }
        guard let result else { throw ICUMessageError(error) }
        return result
    }
}
