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
        guard let result = format({ writer in
            for value in values { writer.append(value) }
            return true
        }) else { throw ICUMessageError(code: .format, message: "no arguments") }
        return try result.get()
    }

    /// Formats the message with arguments that `fill` writes in the declared order, straight into buffers on the
    /// stack: no array of values, no copy of the text but one into the result. Nil when `fill` returns false (it
    /// keeps its own reason); ICU's failure is the failure of the result.
    public func format(_ fill: (inout ArgumentWriter) -> Bool) -> Result<String, ICUMessageError>? {
        let count = arguments.count
        return withUnsafeTemporaryAllocation(of: hr_arg.self, capacity: max(count, 1)) { args in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ArgumentWriter.stackBytes) { stack in
                var writer = ArgumentWriter(args: args.baseAddress!, capacity: count, text: stack.baseAddress!)
                defer { writer.release() }
                guard fill(&writer) else { return nil }
                guard writer.count == count else {
                    return .failure(ICUMessageError(code: .format, message: "\(writer.count) arguments given, \(count) declared"))
                }
                writer.resolveTextPointers()
                var length: Int32 = 0
                // Written only when formatting fails, so not cleared first (it is 520 bytes).
                var failure: ICUMessageError?
                let text = withUnsafeTemporaryAllocation(of: hr_error.self, capacity: 1) { error in
                    let text = hr_message_format_scratch(handle, writer.args, Int32(count), &length, error.baseAddress!)
                    if text == nil { failure = ICUMessageError(error[0]) }
                    return text
                }
                guard let text else { return .failure(failure ?? ICUMessageError(code: .format, message: "ICU could not format the message")) }
                if length == 0 { return .success("") }
                return .success(String(unsafeUninitializedCapacity: Int(length)) { out in
                    UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: text, byteCount: Int(length))
                    return Int(length)
                })
            }
        }
    }
}

/// Where a message's arguments are written, in the declared order, for one ``CompiledMessage/format(_:)-swift.method``
/// call. Text is copied into a stack buffer (a heap one past its size); it is valid only inside that call.
public struct ArgumentWriter: ~Copyable {
    static let stackBytes = 2048
    fileprivate let args: UnsafeMutablePointer<hr_arg>
    private let capacity: Int
    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity: Int
    private var textUsed = 0
    private var heap: UnsafeMutablePointer<UInt8>?
    /// Text arguments' offsets into `text`, resolved into pointers once the text no longer moves.
    public private(set) var count = 0

    fileprivate init(args: UnsafeMutablePointer<hr_arg>, capacity: Int, text: UnsafeMutablePointer<UInt8>) {
        self.args = args
        self.capacity = capacity
        self.text = text
        self.textCapacity = Self.stackBytes
    }

    fileprivate mutating func release() {
        heap?.deallocate()
        heap = nil
    }

    private mutating func push(_ arg: hr_arg) {
        // One too many is counted, not written: the call then fails with the counts.
        if count < capacity { (args + count).initialize(to: arg) }
        count += 1
    }

    private mutating func pushText(_ value: String, kind: ArgumentKind) {
        // The bytes where they are (a native or small string): no copy of the string, no reference count touched.
        if value.utf8.withContiguousStorageIfAvailable({ pushText(bytes: $0, kind: kind) }) != nil { return }
        var value = value
        value.withUTF8 { pushText(bytes: $0, kind: kind) }
    }

    private mutating func pushText(bytes: UnsafeBufferPointer<UInt8>, kind: ArgumentKind) {
        if textUsed + bytes.count > textCapacity {
            let grown = Swift.max(textCapacity * 2, textUsed + bytes.count)
            let block = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            block.update(from: text, count: textUsed)
            heap?.deallocate()
            heap = block
            text = block
            textCapacity = grown
        }
        if let base = bytes.baseAddress, !bytes.isEmpty { (text + textUsed).update(from: base, count: bytes.count) }
        var arg = hr_arg()
        arg.kind = kind.rawValue
        arg.i = Int64(textUsed)  // the offset, until resolveTextPointers()
        arg.utf8_len = Int32(bytes.count)
        textUsed += bytes.count
        push(arg)
    }

    fileprivate mutating func resolveTextPointers() {
        for index in 0..<count where args[index].kind == ArgumentKind.string.rawValue || args[index].kind == ArgumentKind.decimal.rawValue {
            args[index].utf8 = UnsafeRawPointer(text + Int(args[index].i)).assumingMemoryBound(to: CChar.self)
            args[index].i = 0
        }
    }

    public mutating func append(_ value: ArgumentValue) {
        switch value {
        case .string(let text): pushText(text, kind: .string)
        case .decimal(let text): pushText(text, kind: .decimal)
        case .integer(let i):
            var arg = hr_arg()
            arg.kind = ArgumentKind.integer.rawValue
            arg.i = i
            push(arg)
        case .double(let d):
            var arg = hr_arg()
            arg.kind = ArgumentKind.double.rawValue
            arg.d = d
            push(arg)
        case .date(let ms):
            var arg = hr_arg()
            arg.kind = ArgumentKind.date.rawValue
            arg.d = ms
            push(arg)
        }
    }
}

extension ICUMessageError {
    init(code: Code, message: String) {
        self.code = code
        self.offset = nil
        self.message = message
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
