import HeraldICU

/// Checks of the values people and backends give for a contact, each returning why it is wrong (nil when right),
/// so the CLI, events and the API word the same mistake the same way.
public enum ValueCheck {
    public static func language(_ tag: String) -> String? {
        !tag.isEmpty && ICU.localeID(forTag: tag) != nil ? nil : "'\(tag)' is not a language tag (e.g. fr, en, am)"
    }

    /// A language a person may choose: a tag the catalog serves (a locale file for it or for its base language,
    /// `am-ET` by `am`); else why not, with the languages it serves and the one meant when the text names it
    /// (`amharic`, `Français` → fr).
    public static func language(_ tag: String, servedBy catalog: Catalog) -> String? {
        let problem = language(tag)
        if problem == nil {
            var candidate = ICU.localeID(forTag: tag) ?? tag
            while true {
                if catalog.locales[candidate] != nil { return nil }
                guard let cut = candidate.lastIndex(of: "_") else { break }
                candidate = String(candidate[..<cut])
            }
        }
        // Refused: the languages served, and the one the text names, if any.
        let files = catalog.locales.values.sorted { $0.id < $1.id }
        let lowered = tag.lowercased()
        let meant = files.first { file in
            [ICU.languageName(file.icuID, in: "en"), ICU.languageName(file.icuID, in: file.icuID), file.name]
                .contains { $0?.lowercased() == lowered }
        }?.id
        let hint = meant.map { " (did you mean \($0)?)" } ?? ""
        let served = "languages: \(files.map(\.id).joined(separator: ", "))"
        return (problem ?? "the catalog has no messages in '\(tag)'") + hint + "; " + served
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
