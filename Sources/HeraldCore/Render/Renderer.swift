import Foundation
import HeraldICU
import Synchronization

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
