import Foundation
import HeraldICU
import Synchronization

/// A template, a recipient's locale and time zone, as asked for: what a ``RenderPlan`` is cached under. Its hash is
/// computed once, when it is made.
public struct RenderKey: Hashable, Sendable {
    public let template: String
    public let locale: String
    public let timeZone: String
    let hash: UInt64

    public init(template: String, locale: String, timeZone: String) {
        self.template = template
        self.locale = locale
        self.timeZone = timeZone
        // FNV-1a over the three names' bytes: cheaper than String's Unicode-normalizing hash, and equality decides.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ part: String) {
            var part = part
            part.withUTF8 { bytes in
                for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            }
            h = (h ^ 0xff) &* 0x0000_0100_0000_01b3
        }
        mix(template)
        mix(locale)
        mix(timeZone)
        hash = h
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public static func == (a: RenderKey, b: RenderKey) -> Bool {
        a.hash == b.hash && a.template == b.template && a.locale == b.locale && a.timeZone == b.timeZone
    }
}

/// The renderer's plans by key: shards chosen by the key's hash, each behind its own lock on its own cache line, so
/// threads rendering at once rarely meet; within a shard the keys are compared by their precomputed hash first.
final class PlanCache: Sendable {
    final class Shard: Sendable {
        let entries = Mutex<[(key: RenderKey, plan: RenderPlan)]>([])
        // Keeps the next shard's lock off this one's cache line.
        let padding: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    static let shardBits = 6
    /// Bounded: requests naming endless locale or zone spellings cannot grow it without end (about 10,000 keys).
    static let shardLimit = 10_000 >> shardBits
    private let shards: [Shard] = (0..<(1 << shardBits)).map { _ in Shard() }

    private func shard(_ key: RenderKey) -> Shard { shards[Int(truncatingIfNeeded: key.hash >> UInt64(64 - Self.shardBits))] }

    subscript(key: RenderKey) -> RenderPlan? {
        shard(key).entries.withLock { entries in
            for index in entries.indices where entries[index].key == key { return entries[index].plan }
            return nil
        }
    }

    func insert(_ plan: RenderPlan, for key: RenderKey) {
        shard(key).entries.withLock { entries in
            if entries.contains(where: { $0.key == key }) { return }
            if entries.count >= Self.shardLimit { entries.removeAll() }
            entries.append((key, plan))
        }
    }
}

/// A template resolved for one recipient's locale and time zone, with its compiled message: made and cached by
/// ``Renderer/plan(template:locale:timeZone:)``, immutable, shared by every task.
public final class RenderPlan: Sendable {
    public let template: Template
    /// The ICU locale asked for.
    let requested: String
    /// The locale files tried, in order; `chain[index]` has the message.
    let chain: [LocaleFile]
    let index: Int
    /// The ICU locale numbers and dates are formatted in.
    public let formattingLocale: String
    /// The canonical IANA time zone.
    public let timeZone: String
    let compiled: CompiledMessage
    /// The template's parameters, in the declared order: the order of ``text(_:)``'s values.
    let readers: [ArgumentReader]
    let templateID: String

    /// The locale file whose message is used.
    public var file: LocaleFile { chain[index] }

    /// The locale as it was asked for (the request's spelling).
    let askedLocale: String
    /// What the message's locale file says, read once.
    let messageLocale: String
    let gsm: GSMPolicy
    /// Every locale tried before the one used, starting with the one asked for; empty when nothing fell back.
    let fellBackFrom: [String]
    /// What every message of this plan says of where it came from.
    let origin: RenderedMessage.Origin

    init(template: Template, askedLocale: String, requested: String, chain: [LocaleFile], index: Int,
         formattingLocale: String, timeZone: String, compiled: CompiledMessage) {
        self.template = template
        self.askedLocale = askedLocale
        messageLocale = chain[index].id
        gsm = chain[index].gsm
        if Renderer.isSameLanguage(requested: requested, file: chain[index]) {
            fellBackFrom = []
        } else {
            var tried = [askedLocale]
            for skipped in chain[..<index] where !tried.contains(skipped.id) { tried.append(skipped.id) }
            fellBackFrom = tried
        }
        self.requested = requested
        self.chain = chain
        self.index = index
        self.formattingLocale = formattingLocale
        self.timeZone = timeZone
        self.compiled = compiled
        self.readers = template.parameters.map(ArgumentReader.init)
        self.templateID = template.id
        origin = RenderedMessage.Origin(
            template: template.id, requestedLocale: askedLocale, messageLocale: chain[index].id,
            formattingLocale: formattingLocale, timeZone: timeZone, fellBackFrom: fellBackFrom)
    }

    /// The text of the message with values already typed, in the template's declared parameter order (what
    /// ``arguments(_:warnings:)`` returns).
    public func text(_ values: [ArgumentValue]) throws(RenderError) -> String { try text(values[...]) }

    /// ``text(_:)`` for values that are part of a larger array.
    public func text(_ values: ArraySlice<ArgumentValue>) throws(RenderError) -> String {
        try values.withUnsafeBufferPointer { (values) throws(RenderError) in try text(values) }
    }

    /// ``text(_:)`` for values in memory the caller holds: read where they are, never copied.
    public func text(_ values: UnsafeBufferPointer<ArgumentValue>) throws(RenderError) -> String {
        let result = compiled.format { writer in
            for index in values.indices { writer.append(values[index]) }
            return true
        }
        return try unwrap(result, failure: nil)
    }

    /// The whole rendered message (GSM-7 policy and segments included) with values already typed.
    public func render(_ values: ArraySlice<ArgumentValue>, at: Double? = nil) throws(RenderError) -> RenderedMessage {
        finish(try text(values), warnings: [], at: at)
    }

    /// The template's parameters read from named text (an event's or a request's) and typed, in the declared
    /// order: defaults filled in, over-long strings cut (with a warning), unknown names refused.
    public func arguments(_ given: [String: String], warnings: inout [String]) throws(RenderError) -> [ArgumentValue] {
        var values: [ArgumentValue] = []
        values.reserveCapacity(readers.count)
        try readNamed(given, warnings: &warnings) { (value) throws(RenderError) in values.append(value) }
        return values
    }

    /// The text, with the parameters read from named text straight into ICU's arguments (no array between).
    func text(named given: [String: String], warnings: inout [String]) throws(RenderError) -> String {
        var failure: RenderError?
        let result = compiled.format { (writer: inout ArgumentWriter) -> Bool in
            do throws(RenderError) {
                try readNamed(given, warnings: &warnings) { value in writer.append(value) }
                return true
            } catch {
                failure = error
                return false
            }
        }
        return try unwrap(result, failure: failure)
    }

    private func unwrap(_ result: Result<String, ICUMessageError>?, failure: RenderError?) throws(RenderError) -> String {
        switch result {
        case .success(let text): return text
        case .failure(let error):
            throw RenderError(.messageFormat, "template '\(templateID)' (\(messageLocale)): \(error.message)", template: templateID)
        case nil: throw failure ?? RenderError(.messageFormat, "template '\(templateID)': no arguments", template: templateID)
        }
    }

    /// Reads each parameter from `given` (or its default), checks and parses it, and hands it on in the declared order.
    private func readNamed(
        _ given: [String: String], warnings: inout [String], _ emit: (ArgumentValue) throws(RenderError) -> Void
    ) throws(RenderError) {
        // One pass over what was given, names compared rather than hashed: a template has a handful of parameters.
        try withUnsafeTemporaryAllocation(of: String?.self, capacity: max(readers.count, 1)) { (values) throws(RenderError) in
            values.initialize(repeating: nil)
            defer { values.deinitialize() }
            for (name, value) in given {
                guard let index = readers.firstIndex(where: { $0.name == name }) else {
                    try rejectUnknown(given)
                    return
                }
                values[index] = value
            }
            for index in readers.indices {
                try emit(readers[index].read(values[index], template: templateID, timeZone: timeZone, warnings: &warnings))
            }
        }
    }

    /// Throws for the first parameter (by name) the template does not declare.
    private func rejectUnknown(_ given: [String: String]) throws(RenderError) {
        for name in given.keys.sorted() where template.parameter(named: name) == nil {
            let declared = template.parameters.map(\.name).joined(separator: ", ")
            throw RenderError(
                .unknownParameter, "template '\(templateID)' has no parameter '\(name)' (it takes: \(declared))",
                template: templateID, parameter: name)
        }
    }

    /// The rendered message from ICU's text: the GSM-7 policy, the segments, and where the message came from.
    func finish(_ raw: String, warnings: [String], at: Double?) -> RenderedMessage {
        RenderedMessage(
            origin: origin, raw: raw, policy: gsm, warnings: warnings,
            expiresAt: at.map { Renderer.iso8601(ms: $0 + Double(template.timeToLive) * 1000) })
    }

    /// Reads one parameter's value as given: a class, so a render touches one reference per parameter rather than
    /// copying every field of its declaration.
    final class ArgumentReader: Sendable {
        let parameter: Parameter
        let name: String

        init(_ parameter: Parameter) {
            self.parameter = parameter
            self.name = parameter.name
        }

        func read(_ given: String?, template: String, timeZone: String, warnings: inout [String]) throws(RenderError)
            -> ArgumentValue
        {
            guard var text = given ?? parameter.defaultValue else {
                throw RenderError(
                    .missingParameter, "template '\(template)' needs parameter '\(name)' (\(parameter.kind.rawValue))",
                    template: template, parameter: name)
            }
            // Characters are counted only when the bytes could exceed the limit (a character is at least one byte).
            if parameter.kind == .string, let max = parameter.maxLength, text.utf8.count > max, text.count > max {
                text = String(text.prefix(Swift.max(0, max - 3))) + "..."
                warnings.append("parameter '\(name)' was cut to its maximum of \(max) characters")
            }
            do { return try ParameterValue.parse(text, as: parameter, timeZone: timeZone) } catch {
                var error = error
                error.template = template
                error.message = "template '\(template)': " + error.message
                throw error
            }
        }
    }
}
