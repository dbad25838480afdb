import CICUShim

/// Locale, time zone and plural facts from the system ICU, through the shim.
///
/// Nothing here reads or sets ICU's process-wide default locale or time zone.
public enum ICU {
    /// The ICU version linked, e.g. "72.1".
    public static var version: String { fetch { hr_icu_version($0, $1) } ?? "?" }

    /// The ICU locale id for a BCP 47 tag (`am-ET` → `am_ET`), or nil when the tag is malformed.
    public static func localeID(forTag tag: String) -> String? {
        fetch { hr_locale_from_tag(tag, $0, $1) }
    }

    /// The name of a locale's language, in `locale` (`am` in `en` → `Amharic`).
    public static func languageName(_ localeID: String, in locale: String) -> String? {
        fetch { hr_language_display_name(localeID, locale, $0, $1) }
    }

    /// Whether ICU knows `code` as an ISO 4217 currency (upper case, e.g. `TND`).
    public static func isCurrency(_ code: String) -> Bool {
        code.utf8.count == 3 && code.uppercased() == code && hr_currency_known(code) == 1
    }

    /// The canonical id of an IANA time zone, or nil when ICU does not know it.
    public static func canonicalTimeZone(_ identifier: String) -> String? {
        guard !identifier.isEmpty else { return nil }
        return fetch { hr_time_zone_canonical(identifier, $0, $1) }
    }

    /// Epoch milliseconds of a wall-clock time in `timeZone`; nil for an unknown zone or impossible date.
    public static func epochMilliseconds(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, timeZone: String
    ) -> Double? {
        var out = 0.0
        let rc = hr_local_to_epoch_ms(
            timeZone, Int32(year), Int32(month), Int32(day), Int32(hour), Int32(minute), Int32(second), &out)
        return rc == 0 ? out : nil
    }

    /// The CLDR plural category (`one`, `many`, `other`, …) of `number` in `locale`.
    public static func pluralCategory(_ number: Double, locale: String, ordinal: Bool = false) -> String? {
        fetch { hr_plural_category(locale, number, ordinal ? 1 : 0, $0, $1) }
    }

    private static func fetch(_ call: (UnsafeMutablePointer<CChar>, Int32) -> Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { call($0.baseAddress!, Int32($0.count)) }
        guard length >= 0, length <= buffer.count else { return nil }
        return buffer[0..<Int(length)].withUnsafeBufferPointer {
            String(decoding: UnsafeRawBufferPointer($0), as: UTF8.self)
        }
    }
}
