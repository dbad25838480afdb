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
            guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw invalid("'\(text)' is not a whole number")
            }
            return .integer(value)
        case .decimal, .money:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard trimmed.wholeMatch(of: #/[-+]?[0-9]+(\.[0-9]+)?/#) != nil else {
                throw invalid("'\(text)' is not a decimal number (digits with an optional '.' fraction, e.g. 1234.5)")
            }
            return .decimal(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
        case .datetime:
            guard let ms = epochMilliseconds(text.trimmingCharacters(in: .whitespaces), timeZone: timeZone) else {
                throw invalid(
                    "'\(text)' is not a date-time (ISO 8601 such as 2026-03-12T10:30, 2026-03-12T10:30:00+03:00, or epoch milliseconds)"
                )
            }
            return .date(epochMilliseconds: ms)
        }
    }

    /// Epoch milliseconds of an ISO 8601 date-time; local times are read in `timeZone`.
    public static func epochMilliseconds(_ text: String, timeZone: String) -> Double? {
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let ms = Int64(text) { return Double(ms) }
        let pattern = #/(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?/#
        guard let m = text.wholeMatch(of: pattern) else { return nil }
        let year = Int(m.1)!, month = Int(m.2)!, day = Int(m.3)!
        let hour = m.4.map { Int($0)! } ?? 0, minute = m.5.map { Int($0)! } ?? 0, second = m.6.map { Int($0)! } ?? 0
        let fraction = m.7.map { Double("0." + $0)! } ?? 0
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        guard let zone = m.8 else {
            guard let local = ICU.epochMilliseconds(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, timeZone: timeZone)
            else { return nil }
            return local + (fraction * 1000).rounded()
        }
        var offsetSeconds = 0
        if zone != "Z" {
            let digits = zone.dropFirst().filter(\.isNumber)
            let hours = Int(digits.prefix(2))!, minutes = digits.count > 2 ? Int(digits.dropFirst(2))! : 0
            guard hours < 24, minutes < 60 else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone.hasPrefix("-") ? -1 : 1)
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Double(seconds) * 1000 + (fraction * 1000).rounded()
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
