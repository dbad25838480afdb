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
    /// Where the message came from: the same for every message of a plan, so shared rather than copied.
    let origin: Origin

    public var template: String { origin.template }
    /// The locale asked for, as given.
    public var requestedLocale: String { origin.requestedLocale }
    /// The locale file whose message was used (differs from the request when it fell back).
    public var messageLocale: String { origin.messageLocale }
    /// The ICU locale the numbers and dates were formatted in.
    public var formattingLocale: String { origin.formattingLocale }
    public var timeZone: String { origin.timeZone }
    /// Locales tried before the one used, when the message fell back.
    public var fellBackFrom: [String] { origin.fellBackFrom }
    /// The text to send, after the locale's GSM-7 policy.
    public var text: String
    /// ICU's output before the GSM-7 policy.
    public var rawText: String
    public var encoding: SMSEncoding
    public var units: Int
    public var segments: Int
    public var warnings: [String]
    /// When the message stops being worth sending (ISO 8601, UTC), when `at` was given.
    public var expiresAt: String?
    /// What the GSM-7 policy did: worked out from the raw text when asked (sending needs only the text and its
    /// count), or as decoded.
    let details: Details

    enum Details: Sendable {
        case policy(GSMPolicy)
        case given(replacements: [Replacement], rawCount: SegmentCount, forcingUCS2: [Unicode.Scalar])
    }

    /// What the GSM-7 policy replaced (empty when nothing).
    public var replacements: [Replacement] {
        switch details {
        case .policy(let policy): text == rawText ? [] : GSMKeeper.replacements(rawText, policy: policy)
        case .given(let replacements, _, _): replacements
        }
    }

    /// What the raw text would have cost without the GSM-7 policy.
    public var rawCount: SegmentCount {
        switch details {
        case .policy: text == rawText ? segmentCount : SMS.count(rawText)
        case .given(_, let rawCount, _): rawCount
        }
    }

    /// The first characters (up to eight distinct) that force UCS-2, when the message is UCS-2.
    public var forcingUCS2: [Unicode.Scalar] {
        switch details {
        case .policy(let policy): encoding == .ucs2 ? GSMKeeper.blocking(rawText, policy: policy) : []
        case .given(_, _, let forcing): forcing
        }
    }

    public static func == (a: RenderedMessage, b: RenderedMessage) -> Bool {
        a.origin == b.origin && a.text == b.text && a.rawText == b.rawText && a.segmentCount == b.segmentCount
            && a.warnings == b.warnings && a.expiresAt == b.expiresAt && a.replacements == b.replacements
            && a.rawCount == b.rawCount && a.forcingUCS2 == b.forcingUCS2
    }

    /// The template, the locales and the zone of a rendered message: one per plan.
    final class Origin: Sendable, Equatable {
        let template: String
        let requestedLocale: String
        let messageLocale: String
        let formattingLocale: String
        let timeZone: String
        let fellBackFrom: [String]

        init(template: String, requestedLocale: String, messageLocale: String, formattingLocale: String, timeZone: String,
             fellBackFrom: [String]) {
            self.template = template
            self.requestedLocale = requestedLocale
            self.messageLocale = messageLocale
            self.formattingLocale = formattingLocale
            self.timeZone = timeZone
            self.fellBackFrom = fellBackFrom
        }

        static let none = Origin(template: "", requestedLocale: "", messageLocale: "", formattingLocale: "", timeZone: "", fellBackFrom: [])

        static func == (a: Origin, b: Origin) -> Bool {
            a === b || (a.template == b.template && a.requestedLocale == b.requestedLocale && a.messageLocale == b.messageLocale
                && a.formattingLocale == b.formattingLocale && a.timeZone == b.timeZone && a.fellBackFrom == b.fellBackFrom)
        }
    }

    public var segmentCount: SegmentCount { SegmentCount(encoding: encoding, units: units, segments: segments) }

    /// The text of each part, when the message takes more than one (worked out when asked: most callers need
    /// only the count).
    public var parts: [String] { segments > 1 ? SMS.parts(text) : [] }

    /// The characters that force UCS-2 as people read them: `U+1200 ሀ`.
    public var forcedUCS2: [String] { forcingUCS2.map { "\($0.codePoint) \(String($0))" } }

    /// Units still free before the message takes one more segment.
    public var room: Int { SMS.room(text) }

    /// For a UCS-2 message, its cost were the characters that force UCS-2 GSM-7 letters; nil for GSM-7.
    public var costWithoutUCS2Characters: SegmentCount? {
        encoding == .ucs2 ? SMS.countWithoutUCS2Characters(text) : nil
    }

    enum CodingKeys: String, CodingKey {
        case template, requestedLocale, messageLocale, formattingLocale, timeZone, text, rawText, encoding, units
        case segments, parts, replacements, rawCount, forcedUCS2, fellBackFrom, warnings, expiresAt
        case room, withoutUCS2
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        origin = Origin(
            template: try c.decode(String.self, forKey: .template),
            requestedLocale: try c.decode(String.self, forKey: .requestedLocale),
            messageLocale: try c.decode(String.self, forKey: .messageLocale),
            formattingLocale: try c.decode(String.self, forKey: .formattingLocale),
            timeZone: try c.decode(String.self, forKey: .timeZone),
            fellBackFrom: try c.decode([String].self, forKey: .fellBackFrom))
        text = try c.decode(String.self, forKey: .text)
        rawText = try c.decode(String.self, forKey: .rawText)
        encoding = try c.decode(SMSEncoding.self, forKey: .encoding)
        units = try c.decode(Int.self, forKey: .units)
        segments = try c.decode(Int.self, forKey: .segments)
        details = .given(
            replacements: try c.decode([Replacement].self, forKey: .replacements),
            rawCount: try c.decode(SegmentCount.self, forKey: .rawCount),
            // "U+1200 ሀ": the character follows the code point.
            forcingUCS2: try c.decode([String].self, forKey: .forcedUCS2).compactMap { $0.split(separator: " ").last?.unicodeScalars.first })
        warnings = try c.decode([String].self, forKey: .warnings)
        expiresAt = try c.decodeIfPresent(String.self, forKey: .expiresAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(template, forKey: .template)
        try c.encode(requestedLocale, forKey: .requestedLocale)
        try c.encode(messageLocale, forKey: .messageLocale)
        try c.encode(formattingLocale, forKey: .formattingLocale)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(text, forKey: .text)
        try c.encode(rawText, forKey: .rawText)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(units, forKey: .units)
        try c.encode(segments, forKey: .segments)
        try c.encode(parts, forKey: .parts)
        try c.encode(replacements, forKey: .replacements)
        try c.encode(rawCount, forKey: .rawCount)
        try c.encode(forcedUCS2, forKey: .forcedUCS2)
        try c.encode(room, forKey: .room)
        try c.encodeIfPresent(costWithoutUCS2Characters, forKey: .withoutUCS2)
        try c.encode(fellBackFrom, forKey: .fellBackFrom)
        try c.encode(warnings, forKey: .warnings)
        try c.encodeIfPresent(expiresAt, forKey: .expiresAt)
    }

    /// `raw` measured under a GSM-7 policy.
    init(origin: Origin, raw: String, policy: GSMPolicy, warnings: [String], expiresAt: String?) {
        let (kept, count) = GSMKeeper.keep(raw, policy: policy)
        self.origin = origin
        text = kept
        rawText = raw
        encoding = count.encoding
        units = count.units
        segments = count.segments
        details = .policy(policy)
        self.warnings = warnings
        self.expiresAt = expiresAt
    }
}

/// Renders templates with ICU. Compiled formatters are cached per (template, locale, time zone) and
/// shared by every task: compiling costs 10–40 times a format call.
public final class Renderer: Sendable {
    public let catalog: Catalog
    private let cache = Mutex<[CacheKey: CompiledMessage]>([:])
    /// What a (template, locale, time zone) as asked resolves to, so repeated renders skip the lookups.
    private let plans = PlanCache()

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

    private func produce(_ request: RenderRequest) throws(RenderError) -> RenderedMessage {
        let plan = try plan(template: request.template, locale: request.locale, timeZone: request.timeZone)
        var warnings: [String] = []
        let raw = try plan.text(named: request.parameters, warnings: &warnings)
        return plan.finish(raw, warnings: warnings, at: request.at)
    }

    /// ICU's text alone, before the GSM-7 policy and the segment count: what `render` starts from.
    public func renderText(_ request: RenderRequest) throws(RenderError) -> String {
        var warnings: [String] = []
        return try plan(template: request.template, locale: request.locale, timeZone: request.timeZone)
            .text(named: request.parameters, warnings: &warnings)
    }

    /// What a template resolves to for a recipient's locale and time zone (cached): the message found through the
    /// locale's fallbacks, compiled with its formatters. Every render goes through one; callers that render many
    /// messages with values already typed use it directly (``RenderPlan/text(_:)``, ``RenderPlan/render(_:at:)``).
    public func plan(template: String, locale: String, timeZone: String) throws(RenderError) -> RenderPlan {
        try plan(RenderKey(template: template, locale: locale, timeZone: timeZone))
    }

    /// ``plan(template:locale:timeZone:)`` for a key made once: a caller that renders many messages for the same
    /// few keys hashes each name once, not per message.
    public func plan(_ key: RenderKey) throws(RenderError) -> RenderPlan {
        if let cached = plans[key] { return cached }
        let plan = try makePlan(template: key.template, locale: key.locale, timeZone: key.timeZone)
        plans.insert(plan, for: key)
        return plan
    }

    private func makePlan(template id: String, locale: String, timeZone zone: String) throws(RenderError) -> RenderPlan {
        guard let template = catalog.templates[id] else {
            throw RenderError(.unknownTemplate, catalog.unknownTemplate(id), template: id)
        }
        guard let timeZone = ICU.canonicalTimeZone(zone) else {
            throw RenderError(
                .invalidTimeZone, "unknown time zone '\(zone)' (use an IANA name such as Africa/Tunis)", template: template.id)
        }
        guard let requested = ICU.localeID(forTag: locale.replacingOccurrences(of: "_", with: "-")) else {
            throw RenderError(
                .invalidLocale, "'\(locale)' is not a BCP 47 language tag (e.g. fr, en, am-ET)", template: template.id)
        }
        let chain = catalog.chain(for: requested)
        guard let index = chain.firstIndex(where: { $0.messages[template.id] != nil }) else {
            // A locale file with an error is not loaded: say what is wrong with it, where.
            if let problem = Self.unloadedLocaleError(catalog, locale: requested, template: template.id) {
                throw RenderError(
                    .noMessage, "template '\(template.id)' has no message in \(locale): \(problem)", template: template.id)
            }
            throw RenderError(
                .noMessage, "template '\(template.id)' has no message in \(locale) nor in its fallbacks", template: template.id)
        }
        let file = chain[index]
        let formattingLocale = Self.formattingLocale(requested: requested, file: file)
        // ICU is given the id as written (it prints that id for `VV`); the canonical one is what Herald shows.
        let compiled = try compiledMessage(template: template, file: file, formattingLocale: formattingLocale, timeZone: zone)
        return RenderPlan(
            template: template, askedLocale: locale, requested: requested, chain: chain, index: index,
            formattingLocale: formattingLocale, timeZone: timeZone, compiled: compiled)
    }

    /// Applies a GSM-7 policy and counts segments; the identity fields are left empty.
    public static func measure(_ raw: String, policy: GSMPolicy) -> RenderedMessage {
        RenderedMessage(origin: .none, raw: raw, policy: policy, warnings: [], expiresAt: nil)
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

    /// The first error of the locale file that would have served `locale` (`en.yaml` for `en` or `en-GB`), when
    /// that file was refused at load; the template's own message's error first.
    static func unloadedLocaleError(_ catalog: Catalog, locale: String, template: String) -> String? {
        var tag = locale.replacingOccurrences(of: "_", with: "-")
        var candidates: [String] = []
        while !tag.isEmpty {
            candidates.append(tag)
            guard let dash = tag.lastIndex(of: "-") else { break }
            tag = String(tag[..<dash])
        }
        for candidate in candidates {
            let errors = catalog.diagnostics.filter { d in
                d.severity == .error && ["\(candidate).yaml", "\(candidate).yml"].contains((d.file as NSString).lastPathComponent)
            }
            guard !errors.isEmpty else { continue }
            let first = errors.first { $0.field == "messages.\(template)" } ?? errors[0]
            return "\(first) (\((first.file as NSString).lastPathComponent) is not loaded until its \(errors.count == 1 ? "error is" : "\(errors.count) errors are") fixed; run herald check)"
        }
        return nil
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
        // By hand, into 24 bytes on the stack: String(format:) costs more than the rest of the decision's arithmetic.
        let millis = Int(ms.rounded(.down)) - seconds * 1000
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { out in
            var w = 0
            func put(_ value: Int, _ width: Int) {
                var v = Swift.max(0, value)
                for k in stride(from: width - 1, through: 0, by: -1) {
                    out[w + k] = UInt8(0x30 + v % 10)
                    v /= 10
                }
                w += width
            }
            func mark(_ byte: UInt8) {
                out[w] = byte
                w += 1
            }
            put(y, 4); mark(0x2D); put(m, 2); mark(0x2D); put(d, 2); mark(0x54)
            put(rest / 3600, 2); mark(0x3A); put(rest % 3600 / 60, 2); mark(0x3A); put(rest % 60, 2)
            // Milliseconds only when there are some (retries and provider times have them; event times rarely).
            if millis > 0 { mark(0x2E); put(millis, 3) }
            mark(0x5A)
            return String(decoding: UnsafeBufferPointer(rebasing: out[..<w]), as: UTF8.self)
        }
    }
}
