import Foundation

/// A daily window of local time when a person is not to be disturbed, e.g. 21:00–08:00 (crossing midnight).
public struct QuietHours: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Minutes after local midnight.
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Parses `21:00-08:00` (also with `–`); nil when it is not two HH:MM times.
    public init?(_ text: String) {
        let parts = text.replacingOccurrences(of: "–", with: "-").split(separator: "-").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]), start != end else {
            return nil
        }
        self.init(start: start, end: end)
    }

    static func minutes(_ text: String) -> Int? {
        guard let m = text.wholeMatch(of: #/(\d{1,2}):(\d{2})/#), let h = Int(m.1), let min = Int(m.2), h < 24, min < 60
        else { return nil }
        return h * 60 + min
    }

    /// Whether a local minute of the day falls inside: the start is inside, the end is not.
    public func contains(minuteOfDay minute: Int) -> Bool {
        start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(start / 60)):\(two(start % 60))-\(two(end / 60)):\(two(end % 60))"
    }
}

/// At most `count` messages to one person in `window` seconds.
public struct RateLimit: Sendable, Equatable, Codable, CustomStringConvertible {
    public var count: Int
    public var window: Int

    public init(count: Int, window: Int) {
        self.count = count
        self.window = window
    }

    /// Parses `10/1h`, `3/30m`; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let window = Duration.seconds(parsing: String(parts[1]))
        else { return nil }
        self.init(count: count, window: window)
    }

    public var description: String { "\(count)/\(Duration.text(seconds: window))" }
}

/// The deployment's defaults, used where a person has not chosen.
public struct PolicyConfig: Sendable, Equatable {
    /// The language of people with none known (a BCP 47 tag).
    public var defaultLanguage: String
    /// The time zone of people with none known.
    public var defaultTimeZone: String
    /// The region of phone numbers written without a country code (`ET`, `TN`).
    public var defaultRegion: String
    /// Quiet hours of people who set none; nil for none.
    public var quietHours: QuietHours?
    /// The per-person limit; nil for none.
    public var rateLimit: RateLimit?

    public init(
        defaultLanguage: String = "en", defaultTimeZone: String = "Africa/Addis_Ababa", defaultRegion: String = "ET",
        quietHours: QuietHours? = QuietHours(start: 21 * 60, end: 8 * 60), rateLimit: RateLimit? = RateLimit(count: 10, window: 3600)
    ) {
        self.defaultLanguage = defaultLanguage
        self.defaultTimeZone = defaultTimeZone
        self.defaultRegion = defaultRegion
        self.quietHours = quietHours
        self.rateLimit = rateLimit
    }
}

/// A person Herald may message, with what they chose. Stored by id; events add and update contacts.
public struct Contact: Sendable, Equatable, Codable {
    public var id: String
    /// E.164.
    public var phone: String?
    public var name: String?
    /// A BCP 47 tag.
    public var language: String?
    /// True when the person chose the language; an event's language then never replaces it.
    public var languageChosen: Bool
    /// An IANA zone.
    public var timeZone: String?
    public var timeZoneChosen: Bool
    /// For phone numbers without a country code (`ET`, `TN`).
    public var region: String?
    /// Opted out of every message.
    public var optedOutAll: Bool
    /// Opted out of these categories (`billing`, `service`, `case_updates`, …), sorted.
    public var optedOutCategories: [String]
    /// Their own quiet hours; nil means the deployment's; `off` means none.
    public var quietHours: String?

    public init(
        id: String, phone: String? = nil, name: String? = nil, language: String? = nil, languageChosen: Bool = false,
        timeZone: String? = nil, timeZoneChosen: Bool = false, region: String? = nil, optedOutAll: Bool = false,
        optedOutCategories: [String] = [], quietHours: String? = nil
    ) {
        self.id = id
        self.phone = phone
        self.name = name
        self.language = language
        self.languageChosen = languageChosen
        self.timeZone = timeZone
        self.timeZoneChosen = timeZoneChosen
        self.region = region
        self.optedOutAll = optedOutAll
        self.optedOutCategories = optedOutCategories
        self.quietHours = quietHours
    }

    /// The quiet window that applies, and where it comes from.
    public func effectiveQuietHours(config: PolicyConfig) -> (window: QuietHours?, source: String) {
        switch quietHours {
        case nil: (config.quietHours, "deployment default")
        case "off": (nil, "turned off by the contact")
        case let text?: (QuietHours(text) ?? config.quietHours, "the contact's")
        }
    }
}

extension Duration {
    /// `1h30m`, `24h`, `45s`: the shortest text `seconds(parsing:)` reads back.
    static func text(seconds: Int) -> String {
        var out = ""
        var rest = seconds
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out.isEmpty ? "0s" : out
    }
}

extension Contact {
    /// What changed from `old` to this contact, one phrase a change, in the words `herald explain` and the
    /// console show (`opted out of billing`, `language am → fr`); empty when nothing a person chooses changed.
    public func changes(from old: Contact?) -> [String] {
        let old = old ?? Contact(id: id)
        var out: [String] = []
        if optedOutAll != old.optedOutAll { out.append(optedOutAll ? "opted out of every message" : "opted in again (every message)") }
        let added = Set(optedOutCategories).subtracting(old.optedOutCategories).sorted()
        let removed = Set(old.optedOutCategories).subtracting(optedOutCategories).sorted()
        if !added.isEmpty { out.append("opted out of \(added.joined(separator: ", "))") }
        if !removed.isEmpty { out.append("opted in again to \(removed.joined(separator: ", "))") }
        func describe(_ name: String, _ before: String?, _ after: String?) {
            if before != after { out.append("\(name) \(before ?? "default") → \(after ?? "default")") }
        }
        if languageChosen || old.languageChosen { describe("language", old.languageChosen ? old.language : nil, languageChosen ? language : nil) }
        if timeZoneChosen || old.timeZoneChosen { describe("time zone", old.timeZoneChosen ? old.timeZone : nil, timeZoneChosen ? timeZone : nil) }
        describe("quiet hours", old.quietHours, quietHours)
        if phone != old.phone, old.phone != nil {
            out.append("phone \(old.phone.map { PhoneNumber.mask(e164: $0) } ?? "none") → \(phone.map { PhoneNumber.mask(e164: $0) } ?? "none")")
        }
        return out
    }
}

/// A change of a person's preferences as recorded: when, through which path, and what changed.
public struct PreferenceRecord: Sendable, Equatable, Codable {
    public var at: Instant
    /// Who or what changed them: `herald contact set`, `key NAME (role)`, `the customer's token`, `inbound STOP`.
    public var source: String
    public var changes: [String]

    public init(at: Instant, source: String, changes: [String]) {
        self.at = at
        self.source = source
        self.changes = changes
    }
}
