import Foundation
import HeraldICU
import Synchronization

/// What to render: a template, for a recipient's locale and time zone, with parameter values as text.
public struct RenderRequest: Sendable {
    public var template: String
    /// A BCP 47 tag, e.g. `fr`, `am-ET`, `fr-TN`.
    public var locale: String
    /// The recipient's IANA time zone; every date and time is shown in it.
    public var timeZone: String
    public var parameters: [String: String]
    /// The instant the message is rendered for (epoch ms), to state when it expires. Never read from the clock here.
    public var at: Double?

    public init(template: String, locale: String, timeZone: String, parameters: [String: String], at: Double? = nil) {
        self.template = template
        self.locale = locale
        self.timeZone = timeZone
        self.parameters = parameters
        self.at = at
    }
}

/// A rendered message and what it will cost.
public struct RenderedMessage: Sendable, Equatable, Codable {
    public var template: String
    /// The locale asked for, as given.
    public var requestedLocale: String
    /// The locale file whose message was used (differs from the request when it fell back).
    public var messageLocale: String
    /// The ICU locale the numbers and dates were formatted in.
    public var formattingLocale: String
    public var timeZone: String
    /// The text to send, after the locale's GSM-7 policy.
    public var text: String
    /// ICU's output before the GSM-7 policy.
    public var rawText: String
    public var encoding: SMSEncoding
    public var units: Int
    public var segments: Int
    /// The text of each part, when the message takes more than one.
    public var parts: [String]
    /// What the GSM-7 policy replaced (empty when nothing).
    public var replacements: [Replacement]
    /// What the raw text would have cost without the GSM-7 policy.
    public var rawCount: SegmentCount
    /// Characters that force UCS-2 (`U+1200 ሀ`), when the message is UCS-2.
    public var forcedUCS2: [String]
    /// Locales tried before the one used, when the message fell back.
    public var fellBackFrom: [String]
    public var warnings: [String]
    /// When the message stops being worth sending (ISO 8601, UTC), when `at` was given.
    public var expiresAt: String?

    public var segmentCount: SegmentCount { SegmentCount(encoding: encoding, units: units, segments: segments) }
}

/// Renders templates with ICU. Compiled formatters are cached per (template, locale, time zone) and
/// shared by every task: compiling costs 10–40 times a format call.
public final class Renderer: Sendable {
    public let catalog: Catalog
    private let cache = Mutex<[CacheKey: CompiledMessage]>([:])
    /// What a (template, locale, time zone) as asked resolves to, so repeated renders skip the lookups.
    private let plans = Mutex<[PlanKey: Plan]>([:])

    struct PlanKey: Hashable {
        var template: String
        var locale: String
        var timeZone: String
    }

    struct CacheKey: Hashable {
        var template: String
        var messageLocale: String
        var formattingLocale: String
        var timeZone: String
    }

    /// Told how long each render took (the server's latency histogram).
    private let observer: (@Sendable (Swift.Duration) -> Void)?

    public init(catalog: Catalog, observer: (@Sendable (Swift.Duration) -> Void)? = nil) {
        self.catalog = catalog
        self.observer = observer
    }

    /// Number of compiled formatters held.
    public var cachedFormatters: Int { cache.withLock { $0.count } }

    public func render(_ request: RenderRequest) throws(RenderError) -> RenderedMessage {
        guard let observer else { return try produce(request) }
        let start = ContinuousClock.now
        defer { observer(ContinuousClock.now - start) }
        return try produce(request)
    }

    /// What a (template, locale, time zone) resolves to: the template, the locale file with its message, the
    /// compiled message.
    private struct Plan {
        var template: Template
        var requested: String
        var chain: [LocaleFile]
        var index: Int
        var formattingLocale: String
        var timeZone: String
        var compiled: CompiledMessage
        var file: LocaleFile { chain[index] }
    }

    /// The request's plan (cached) and its arguments.
    private func prepare(_ request: RenderRequest) throws(RenderError) -> (plan: Plan, values: Arguments) {
        let key = PlanKey(template: request.template, locale: request.locale, timeZone: request.timeZone)
        let plan: Plan
        if let cached = plans.withLock({ $0[key] }) {
            plan = cached
        } else {
            plan = try makePlan(request)
            plans.withLock {
                // Bounded: requests naming endless locale or zone spellings cannot grow it without end.
                if $0.count >= 10_000 { $0.removeAll() }
                $0[key] = plan
            }
        }
        return (plan, try arguments(for: plan.template, given: request.parameters, timeZone: plan.timeZone))
    }

    private func makePlan(_ request: RenderRequest) throws(RenderError) -> Plan {
        guard let template = catalog.templates[request.template] else {
            let hint = YAMLReader.closest(request.template, in: Array(catalog.templates.keys))
                .map { " (did you mean '\($0)'?)" } ?? ""
            throw RenderError(.unknownTemplate, "unknown template '\(request.template)'\(hint)", template: request.template)
        }
        guard let timeZone = ICU.canonicalTimeZone(request.timeZone) else {
            throw RenderError(
                .invalidTimeZone, "unknown time zone '\(request.timeZone)' (use an IANA name such as Africa/Tunis)",
                template: template.id)
        }
        guard let requested = ICU.localeID(forTag: request.locale.replacingOccurrences(of: "_", with: "-")) else {
            throw RenderError(
                .invalidLocale, "'\(request.locale)' is not a BCP 47 language tag (e.g. fr, en, am-ET)", template: template.id)
        }
        let chain = catalog.chain(for: requested)
        guard let index = chain.firstIndex(where: { $0.messages[template.id] != nil }) else {
            throw RenderError(
                .noMessage, "template '\(template.id)' has no message in \(request.locale) nor in its fallbacks",
                template: template.id)
        }
        let file = chain[index]
        let formattingLocale = Self.formattingLocale(requested: requested, file: file)
        let compiled = try compiledMessage(template: template, file: file, formattingLocale: formattingLocale, timeZone: timeZone)
        return Plan(
            template: template, requested: requested, chain: chain, index: index, formattingLocale: formattingLocale,
            timeZone: timeZone, compiled: compiled)
    }

    private func format(_ plan: Plan, _ values: Arguments) throws(RenderError) -> String {
        do { return try plan.compiled.format(values.arguments) } catch {
            throw RenderError(.messageFormat, "template '\(plan.template.id)' (\(plan.file.id)): \(error.message)", template: plan.template.id)
        }
    }

    /// ICU's text alone, before the GSM-7 policy and the segment count: what `render` starts from (the render
    /// benchmark's figure against ICU's MessageFormat).
    public func renderText(_ request: RenderRequest) throws(RenderError) -> String {
        let (plan, values) = try prepare(request)
        return try format(plan, values)
    }

    private func produce(_ request: RenderRequest) throws(RenderError) -> RenderedMessage {
        let (plan, values) = try prepare(request)
        let raw = try format(plan, values)
        let file = plan.file
        var rendered = Self.measure(raw, policy: file.gsm)
        rendered.template = plan.template.id
        rendered.requestedLocale = request.locale
        rendered.messageLocale = file.id
        rendered.formattingLocale = plan.formattingLocale
        rendered.timeZone = plan.timeZone
        if !Self.isSameLanguage(requested: plan.requested, file: file) {
            // Every locale tried before the one used, starting with the one asked for.
            var tried = [request.locale]
            for skipped in plan.chain[..<plan.index] where !tried.contains(skipped.id) { tried.append(skipped.id) }
            rendered.fellBackFrom = tried
        }
        rendered.warnings = values.warnings
        if let at = request.at {
            rendered.expiresAt = Self.iso8601(ms: at + Double(plan.template.timeToLive) * 1000)
        }
        return rendered
    }

    /// Applies a GSM-7 policy and counts segments; the identity fields are left empty.
    public static func measure(_ raw: String, policy: GSMPolicy) -> RenderedMessage {
        let kept = GSMKeeper.apply(raw, policy: policy)
        let count = SMS.count(kept.text)
        return RenderedMessage(
            template: "", requestedLocale: "", messageLocale: "", formattingLocale: "", timeZone: "", text: kept.text,
            rawText: raw, encoding: count.encoding, units: count.units, segments: count.segments,
            parts: count.segments > 1 ? SMS.parts(kept.text) : [], replacements: kept.replacements,
            rawCount: kept.replacements.isEmpty ? count : SMS.count(raw),
            forcedUCS2: kept.forcedUCS2.map { "\($0.codePoint) \(String($0))" }, fellBackFrom: [], warnings: [],
            expiresAt: nil)
    }

    /// The requested locale when the message is in its language (fr-TN keeps Tunisian conventions with
    /// fr's text), otherwise the locale of the message found; plus the file's calendar.
    static func formattingLocale(requested: String, file: LocaleFile) -> String {
        guard isSameLanguage(requested: requested, file: file) else { return file.formattingLocale(for: nil) }
        if requested.contains("@") { return requested }
        return file.formattingLocale(for: requested)
    }

    /// Whether the message found is in the language asked for: the file is the requested locale or one of
    /// its parents (`am` for `am_ET`), so nothing fell back.
    static func isSameLanguage(requested: String, file: LocaleFile) -> Bool {
        let base = requested.split(separator: "@").first.map(String.init) ?? requested
        return base == file.icuID || base.hasPrefix(file.icuID + "_")
    }

    func compiledMessage(template: Template, file: LocaleFile, formattingLocale: String, timeZone: String)
        throws(RenderError) -> CompiledMessage
    {
        let key = CacheKey(template: template.id, messageLocale: file.icuID, formattingLocale: formattingLocale, timeZone: timeZone)
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let text = file.messages[template.id]!.text
        let compiled: CompiledMessage
        do {
            compiled = try CompiledMessage(
                pattern: text, locale: formattingLocale, timeZone: timeZone,
                arguments: template.parameters.map { ($0.name, ParameterValue.kind(of: $0)) },
                currencySymbols: file.currencySymbols)
        } catch {
            let line = catalog.line(ofOffset: error.offset, template: template.id, locale: file.icuID)
            let place = file.file + (line.map { ":\($0)" } ?? "")
            throw RenderError(.messageFormat, "\(place): message '\(template.id)': \(error.message)", template: template.id)
        }
        return cache.withLock { cache in
            if let raced = cache[key] { return raced }
            cache[key] = compiled
            return compiled
        }
    }

    struct Arguments {
        var arguments: [ArgumentValue]
        var warnings: [String]
    }

    func arguments(for template: Template, given: [String: String], timeZone: String) throws(RenderError) -> Arguments {
        for name in given.keys.sorted() where template.parameter(named: name) == nil {
            let declared = template.parameters.map(\.name).joined(separator: ", ")
            throw RenderError(
                .unknownParameter, "template '\(template.id)' has no parameter '\(name)' (it takes: \(declared))",
                template: template.id, parameter: name)
        }
        var out: [ArgumentValue] = []
        var warnings: [String] = []
        for parameter in template.parameters {
            guard var text = given[parameter.name] ?? parameter.defaultValue else {
                throw RenderError(
                    .missingParameter,
                    "template '\(template.id)' needs parameter '\(parameter.name)' (\(parameter.kind.rawValue))",
                    template: template.id, parameter: parameter.name)
            }
            if parameter.kind == .string, let max = parameter.maxLength, text.count > max {
                text = String(text.prefix(Swift.max(0, max - 3))) + "..."
                warnings.append("parameter '\(parameter.name)' was cut to its maximum of \(max) characters")
            }
            do { out.append(try ParameterValue.parse(text, as: parameter, timeZone: timeZone)) } catch {
                var error = error
                error.template = template.id
                error.message = "template '\(template.id)': " + error.message
                throw error
            }
        }
        return Arguments(arguments: out, warnings: warnings)
    }

    /// `2026-11-23T09:00:00Z` for epoch milliseconds.
    public static func iso8601(ms: Double) -> String {
        let seconds = Int((ms / 1000).rounded(.down))
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 {
            rest += 86400
            days -= 1
        }
        // civil from days (Howard Hinnant)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        // By hand: String(format:) costs more than the rest of the decision's arithmetic.
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var v = Swift.max(0, value)
            for k in stride(from: width - 1, through: 0, by: -1) {
                digits[k] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out += digits
        }
        put(y, 4); out.append(0x2D); put(m, 2); out.append(0x2D); put(d, 2); out.append(0x54)
        put(rest / 3600, 2); out.append(0x3A); put(rest % 3600 / 60, 2); out.append(0x3A); put(rest % 60, 2)
        // Milliseconds only when there are some (retries and provider times have them; event times rarely).
        let millis = Int(ms.rounded(.down)) - seconds * 1000
        if millis > 0 { out.append(0x2E); put(millis, 3) }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }
}
