import Foundation
import HeraldICU

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
