import Foundation
import HeraldICU
import Yams

/// One locale's messages and settings, read from `Locales/<id>.yaml`.
public struct LocaleFile: Sendable, Codable {
    /// The locale id as written (`fr`, `am`, `fr-TN`).
    public var id: String
    /// The ICU locale id (`fr`, `am`, `fr_TN`).
    public var icuID: String
    public var name: String?
    /// Where a message missing here is looked for next, e.g. `en`.
    public var fallback: String?
    /// `gregorian` or `ethiopic` (or any ICU calendar): dates in this locale's messages use it.
    public var calendar: String
    /// Currency symbol overrides by ISO code, e.g. `TND: DT`.
    public var currencySymbols: [String: String]
    public var gsm: GSMPolicy
    /// Words a person may reply to stop or restart messages, in this language.
    public var stopKeywords: [String]
    public var startKeywords: [String]
    /// The answer to a stop or start word, in this language (none when not set).
    public var stopReply: String?
    public var startReply: String?
    public var messages: [String: Message]
    public var file: String

    public struct Message: Sendable, Codable {
        public var text: String
        public var line: Int?
    }

    /// The ICU locale id used for formatting, with the calendar keyword when it is not Gregorian.
    public func formattingLocale(for requested: String?) -> String {
        let base = requested ?? icuID
        return calendar == "gregorian" ? base : "\(base)@calendar=\(calendar)"
    }
}

/// How a locale keeps messages in GSM-7 (160 characters a segment instead of 70).
public struct GSMPolicy: Sendable, Codable, Equatable {
    /// Replace no-break spaces and typographic lookalikes (’ “ ” – — …) with GSM-7 equivalents when
    /// that is all that stands between the message and GSM-7.
    public var replaceLookalikes: Bool = true
    /// A named transliteration of letters, off unless a locale asks: `none` or `latin-accents`
    /// (ê → e, ç → c, œ → oe, keeping the accented letters GSM-7 has, such as é and à).
    public var transliterate: Transliteration = .none

    public enum Transliteration: String, Sendable, Codable, CaseIterable {
        case none
        case latinAccents = "latin-accents"
    }

    public init(replaceLookalikes: Bool = true, transliterate: Transliteration = .none) {
        self.replaceLookalikes = replaceLookalikes
        self.transliterate = transliterate
    }
}

extension LocaleFile {
    static let keys = [
        "locale", "name", "fallback", "calendar", "currencySymbols", "gsm7", "keywords", "messages",
    ]
    static let calendars = [
        "gregorian", "ethiopic", "ethiopic-amete-alem", "islamic", "islamic-civil", "islamic-umalqura", "hebrew",
        "persian", "buddhist", "japanese", "coptic", "indian", "chinese",
    ]

    /// Parses one locale file. Message text is checked later, against the templates.
    static func parse(_ text: String, reader: YAMLReader, expectedID: String) -> (LocaleFile, [String: TextSpan])? {
        guard let root = reader.root(text), let entries = reader.entries(root, field: nil, allowed: keys) else {
            return nil
        }
        let errorsBefore = reader.diagnostics.count
        var fields: [String: Node] = [:]
        for entry in entries { fields[entry.key] = entry.value }
        var id = expectedID
        if let node = fields["locale"], let value = reader.string(node, field: "locale") {
            if value != expectedID {
                reader.error(node, field: "locale", "'\(value)' does not match the file name '\(expectedID)'")
            }
            id = value
        }
        guard let icuID = ICU.localeID(forTag: id.replacingOccurrences(of: "_", with: "-")) else {
            reader.error(fields["locale"] ?? root, field: "locale", "'\(id)' is not a BCP 47 language tag (e.g. fr, am-ET)")
            return nil
        }
        let fallback = fields["fallback"].flatMap { reader.string($0, field: "fallback") }
        if let fallback, fallback == id {
            reader.error(fields["fallback"], field: "fallback", "a locale cannot fall back to itself")
        }
        let calendar = fields["calendar"].flatMap { reader.choice($0, field: "calendar", from: calendars) } ?? "gregorian"
        var symbols: [String: String] = [:]
        if let node = fields["currencySymbols"], let list = reader.entries(node, field: "currencySymbols") {
            for (code, keyNode, value) in list {
                if code.wholeMatch(of: #/^[A-Z]{3}$/#) == nil {
                    reader.error(keyNode, field: "currencySymbols.\(code)", "'\(code)' is not an ISO 4217 code")
                }
                if let symbol = reader.string(value, field: "currencySymbols.\(code)") {
                    if symbol.isEmpty { reader.error(value, field: "currencySymbols.\(code)", "the symbol is empty") }
                    symbols[code] = symbol
                }
            }
        }
        var gsm = GSMPolicy()
        if let node = fields["gsm7"],
            let list = reader.entries(node, field: "gsm7", allowed: ["replaceLookalikes", "transliterate"])
        {
            for (key, _, value) in list {
                switch key {
                case "replaceLookalikes":
                    gsm.replaceLookalikes = reader.bool(value, field: "gsm7.replaceLookalikes") ?? true
                default:
                    gsm.transliterate = reader.choice(
                        value, field: "gsm7.transliterate", from: GSMPolicy.Transliteration.allCases.map(\.rawValue)
                    ).flatMap(GSMPolicy.Transliteration.init(rawValue:)) ?? .none
                }
            }
        }
        var stop: [String] = []
        var start: [String] = []
        var replies: [String: String] = [:]
        if let node = fields["keywords"],
            let list = reader.entries(node, field: "keywords", allowed: ["stop", "start", "stopReply", "startReply"])
        {
            for (key, _, value) in list {
                if key.hasSuffix("Reply") {
                    if let text = reader.string(value, field: "keywords.\(key)") {
                        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                            reader.error(value, field: "keywords.\(key)", "the reply is empty; leave it out to send none")
                        }
                        replies[key] = text
                    }
                    continue
                }
                guard case .sequence(let sequence) = value else {
                    reader.error(value, field: "keywords.\(key)", "expected a list of words")
                    continue
                }
                let words = sequence.compactMap { reader.string($0, field: "keywords.\(key)") }
                if key == "stop" { stop = words } else { start = words }
            }
        }
        var messages: [String: Message] = [:]
        var messageNodes: [String: TextSpan] = [:]
        if let node = fields["messages"], let list = reader.entries(node, field: "messages") {
            for (templateID, _, value) in list {
                guard let text = reader.string(value, field: "messages.\(templateID)") else { continue }
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    reader.error(value, field: "messages.\(templateID)", "the message is empty")
                    continue
                }
                messages[templateID] = Message(text: text, line: value.mark?.line)
                messageNodes[templateID] = TextSpan(value)
            }
        } else if fields["messages"] == nil {
            reader.error(root, field: "messages", "missing; a locale file holds its messages under 'messages:'")
        }
        guard reader.diagnostics.count == errorsBefore else { return nil }
        let file = LocaleFile(
            id: id, icuID: icuID, name: fields["name"]?.string, fallback: fallback, calendar: calendar,
            currencySymbols: symbols, gsm: gsm, stopKeywords: stop, startKeywords: start,
            stopReply: replies["stopReply"], startReply: replies["startReply"], messages: messages,
            file: reader.file)
        return (file, messageNodes)
    }
}
