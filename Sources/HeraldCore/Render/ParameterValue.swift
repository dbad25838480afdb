import Foundation
import HeraldICU

/// Parsing of parameter values given as text (CLI flags, JSON fields) into what ICU formats.
public enum ParameterValue {
    /// The ICU argument kind a parameter is passed as.
    static func kind(of parameter: Parameter) -> ArgumentKind {
        switch parameter.kind {
        case .string, .enum: .string
        case .integer: .integer
        case .decimal, .money: .decimal
        case .datetime: .date
        }
    }

    /// Parses `text` as a value of `parameter`. Date-times without an offset are wall-clock times in
    /// `timeZone`; `Z` or `+01:00` make them absolute; a bare integer is epoch milliseconds.
    public static func parse(_ text: String, as parameter: Parameter, timeZone: String) throws(RenderError)
        -> ArgumentValue
    {
        func invalid(_ why: String) -> RenderError {
            RenderError(.invalidParameter, "parameter '\(parameter.name)': \(why)", parameter: parameter.name)
        }
        // Control characters never reach an SMS: a NUL would cut it short, BEL or ESC would force UCS-2 and reach
        // the phone as they are. Tab and line breaks are text.
        if let control = controlCharacter(in: text) {
            throw invalid("contains the control character \(control.codePoint); only tab and line breaks may be in a message")
        }
        switch parameter.kind {
        case .string:
            return .string(text)
        case .enum:
            let values = parameter.values ?? []
            guard values.contains(text) else {
                throw invalid("'\(text)' is not one of \(values.joined(separator: ", "))")
            }
            return .string(text)
        case .integer:
            guard let value = Int64(trimmed(text)) else {
                throw invalid("'\(text)' is not a whole number")
            }
            if let max = parameter.max, Double(value) > max { throw invalid(overMax(text, max)) }
            return .integer(value)
        case .decimal, .money:
            let trimmed = trimmed(text)
            guard isDecimal(trimmed) else {
                throw invalid("'\(text)' is not a decimal number (digits with an optional '.' fraction, e.g. 1234.5)")
            }
            // A value past the declared maximum is refused rather than sent (its worst case was checked at that max).
            if let max = parameter.max, let value = Double(trimmed), value > max { throw invalid(overMax(text, max)) }
            return .decimal(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
        case .datetime:
            guard let ms = epochMilliseconds(trimmed(text), timeZone: timeZone) else {
                throw invalid(
                    "'\(text)' is not a date-time (ISO 8601 such as 2026-03-12T10:30, 2026-03-12T10:30:00+03:00, or epoch milliseconds)"
                )
            }
            return .date(epochMilliseconds: ms)
        }
    }

    /// The first C0 control (but tab, line feed and carriage return) or DEL in `text`.
    static func controlCharacter(in text: String) -> Unicode.Scalar? {
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x7F }) else {
            return nil
        }
        return text.unicodeScalars.first { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0x7F }
    }

    static func overMax(_ text: String, _ max: Double) -> String {
        let shown = max == max.rounded() && abs(max) < 1e15 ? String(Int64(max)) : String(max)
        return "'\(text)' is over its maximum of \(shown) (the template's max)"
    }

    /// `text` without surrounding spaces; most values have none, and they cost no copy then.
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// An instant as people write one for a range: a duration back from `now` (`24h`, `7d`), or an ISO 8601
    /// date-time with `Z` or an offset. Epoch milliseconds; nil when it is neither.
    public static func instant(_ text: String, now: Int64) -> Int64? {
        if let seconds = DurationText.seconds(text) { return now - Int64(seconds) * 1000 }
        guard hasOffset(text), let ms = epochMilliseconds(text, timeZone: "UTC") else { return nil }
        return Int64(ms)
    }

    /// Epoch milliseconds of an ISO 8601 date-time; local times are read in `timeZone`.
    public static func epochMilliseconds(_ text: String, timeZone: String) -> Double? {
        // Epoch milliseconds, as machines send them, need no scanner.
        if text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ms = Int64(text) { return Double(ms) }
        guard let parts = ISODateTime(text) else { return nil }
        if let ms = parts.epochMilliseconds { return Double(ms) }
        guard parts.month >= 1, parts.month <= 12, parts.day >= 1, parts.day <= daysIn(month: parts.month, year: parts.year),
            parts.hour < 24, parts.minute < 60, parts.second < 60
        else { return nil }
        guard let offset = parts.offsetSeconds else {
            guard let local = ICU.epochMilliseconds(
                year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute,
                second: parts.second, timeZone: timeZone)
            else { return nil }
            return local + Double(parts.milliseconds)
        }
        let days = daysFromCivil(year: parts.year, month: parts.month, day: parts.day)
        let seconds = days * 86400 + parts.hour * 3600 + parts.minute * 60 + parts.second - offset
        return Double(seconds) * 1000 + Double(parts.milliseconds)
    }

    /// Whether a date-time names its offset (`Z`, `+01:00`), so it is an instant without a zone.
    public static func hasOffset(_ text: String) -> Bool { ISODateTime(text)?.offsetSeconds != nil }

    /// Digits with an optional sign and `.` fraction: `1234.5`, `-3`, `+0.25`.
    static func isDecimal(_ text: some StringProtocol) -> Bool {
        var bytes = text.utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var digits = 0, fraction = -1
        for byte in bytes {
            if byte >= 0x30, byte <= 0x39 {
                if fraction >= 0 { fraction += 1 } else { digits += 1 }
            } else if byte == UInt8(ascii: "."), fraction < 0, digits > 0 {
                fraction = 0
            } else {
                return false
            }
        }
        return digits > 0 && fraction != 0
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

/// The fields of `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]]`, or of epoch milliseconds given as digits.
/// A scanner, not a regex: it runs for every date in every event.
struct ISODateTime {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, milliseconds = 0
    var offsetSeconds: Int?
    var epochMilliseconds: Int64?

    init?(_ text: String) {
        let b = Array(text.utf8)
        guard !b.isEmpty else { return nil }
        if b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard b.count <= 15, let ms = Int64(text) else { return nil }
            epochMilliseconds = ms
            return
        }
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                value = value * 10 + Int(b[k] - 0x30)
            }
            i += width
            return value
        }
        func eat(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = number(4), eat("-"), let mo = number(2), eat("-"), let d = number(2) else { return nil }
        (year, month, day) = (y, mo, d)
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = number(2), eat(":"), let mi = number(2) else { return nil }
            (hour, minute) = (h, mi)
            if eat(":") {
                guard let s = number(2) else { return nil }
                second = s
                if eat(".") {
                    var digits = 0, value = 0
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                        if digits < 3 { value = value * 10 + Int(b[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard (1...9).contains(digits) else { return nil }
                    if digits < 3 { for _ in digits..<3 { value *= 10 } }
                    milliseconds = value
                }
            }
        }
        if i < b.count {
            if b[i] == UInt8(ascii: "Z"), i == b.count - 1 {
                offsetSeconds = 0
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2), oh < 24 else { return nil }
                var om = 0
                if i < b.count {
                    _ = eat(":")
                    guard let m = number(2), m < 60 else { return nil }
                    om = m
                }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == b.count else { return nil }
    }
}
