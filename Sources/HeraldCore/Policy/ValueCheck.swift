import HeraldICU

/// Checks of the values people and backends give for a contact, each returning why it is wrong (nil when right),
/// so the CLI, events and the API word the same mistake the same way.
public enum ValueCheck {
    public static func language(_ tag: String) -> String? {
        !tag.isEmpty && ICU.localeID(forTag: tag) != nil ? nil : "'\(tag)' is not a language tag (e.g. fr, en, am)"
    }

    public static func timeZone(_ identifier: String) -> String? {
        ICU.canonicalTimeZone(identifier) != nil ? nil : "unknown time zone '\(identifier)' (use an IANA name such as Africa/Tunis)"
    }

    public static func region(_ code: String) -> String? {
        PhoneNumber.isKnownRegion(code.uppercased()) ? nil : "'\(code)' is not a region code (ISO 3166, e.g. ET, TN)"
    }

    public static func quietHours(_ text: String) -> String? {
        QuietHours(text) != nil ? nil : "'\(text)' is not START-END local times (e.g. 21:00-08:00)"
    }
}
