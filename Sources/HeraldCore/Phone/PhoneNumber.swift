import CPhoneShim
import Foundation
import Synchronization

/// A phone number normalized by libphonenumber: stored in E.164, shown masked.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `+251911234567`.
    public var e164: String
    /// `+251 91 123 4567`.
    public var international: String
    /// The region the number belongs to (`ET`, `TN`), when one.
    public var region: String?
    /// False when the number has a possible length but libphonenumber's metadata does not know its range
    /// (Debian's 2022 metadata misses Ethiopia's Safaricom 07x numbers): accepted, with a warning.
    public var isValidPerMetadata: Bool

    /// Why a text is not a phone number.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: String, Sendable, Codable {
            case invalidCountryCode = "invalid_country_code"
            case notANumber = "not_a_number"
            case tooShortAfterIDD = "too_short_after_idd"
            case tooShort = "too_short"
            case tooLong = "too_long"
            case invalidLength = "invalid_length"
            case localOnly = "local_only"
            case empty
        }

        public var reason: Reason
        public var input: String

        public init(reason: Reason, input: String) {
            self.reason = reason
            self.input = input
        }

        public var description: String {
            let why: String
            switch reason {
            case .invalidCountryCode: why = "no known country code (write it with +, or set the contact's region)"
            case .notANumber: why = "not a phone number"
            case .tooShortAfterIDD: why = "too short after the international prefix"
            case .tooShort: why = "too short for its region"
            case .tooLong: why = "too long for its region"
            case .invalidLength: why = "no number of its region has this length"
            case .localOnly: why = "a local number without its area code"
            case .empty: why = "empty"
            }
            return "'\(PhoneNumber.maskDigits(input))' is \(why) (libphonenumber: \(reason.rawValue))"
        }
    }

    /// Parses `text` with `region` (ISO 3166, e.g. `ET`, `TN`) for numbers written without a country code.
    /// A number stored without its `+` but starting with the region's country code (the CRM's `251911234567`)
    /// is read as international.
    public static func parse(_ text: String, region: String) throws(Failure) -> PhoneNumber {
        let key = CacheKey(text: text, region: region)
        if let cached = cache.withLock({ $0[key] }) { return try cached.get() }
        let result = Result { () throws(Failure) in try parseUncached(text, region: region) }
        cache.withLock { cache in
            // Bounded: a busy deployment sees the same numbers again and again, but not without end.
            if cache.count >= 50_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = result
            // Its E.164 form is looked up again to mask it in traces.
            if case .success(let number) = result { cache[CacheKey(text: number.e164, region: "ZZ")] = result }
        }
        return try result.get()
    }

    struct CacheKey: Hashable {
        var text: String
        var region: String
    }

    /// libphonenumber's parse runs ICU regexes (tens of microseconds); results are kept per (text, region).
    private static let cache = Mutex<[CacheKey: Result<PhoneNumber, Failure>]>([:])

    private static func parseUncached(_ text: String, region: String) throws(Failure) -> PhoneNumber {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Failure(reason: .empty, input: text) }
        var result = call(trimmed, region: region)
        if result.code != HR_PHONE_OK.rawValue || result.valid == 0,
            let first = trimmed.first, first.isNumber, first != "0"
        {
            // `251911234567`: a country code without `+`. Taken only when it reads as a possible number.
            let international = call("+" + trimmed, region: region)
            if international.code == HR_PHONE_OK.rawValue,
                international.valid == 1 || result.code != HR_PHONE_OK.rawValue
            {
                result = international
            }
        }
        guard result.code == HR_PHONE_OK.rawValue else {
            let reason: Failure.Reason =
                switch hr_phone_code(rawValue: UInt32(result.code)) {
                case HR_PHONE_INVALID_COUNTRY_CODE: .invalidCountryCode
                case HR_PHONE_TOO_SHORT_AFTER_IDD: .tooShortAfterIDD
                case HR_PHONE_TOO_SHORT: .tooShort
                case HR_PHONE_TOO_LONG: .tooLong
                case HR_PHONE_INVALID_LENGTH: .invalidLength
                case HR_PHONE_LOCAL_ONLY: .localOnly
                default: .notANumber
                }
            throw Failure(reason: reason, input: text)
        }
        return PhoneNumber(
            e164: string(result.e164), international: string(result.international),
            region: { let r = string(result.region); return r.isEmpty ? nil : r }(),
            isValidPerMetadata: result.valid == 1)
    }

    /// Whether libphonenumber knows the region (`ET`, `TN`).
    public static func isKnownRegion(_ region: String) -> Bool { hr_phone_region_known(region) == 1 }

    /// `+251 9•• ••• •67`: the country code, the first digit and the last two; for logs and CLI output.
    public var masked: String { Self.mask(international) }

    public var description: String { masked }

    /// Masks an international-format number, keeping `+`, the country code, the first national digit and the last two.
    static func mask(_ international: String) -> String {
        let groups = international.split(separator: " ", omittingEmptySubsequences: true)
        guard groups.count >= 2 else { return maskDigits(international) }
        let totalDigits = groups.dropFirst().reduce(0) { $0 + $1.filter(\.isNumber).count }
        var seen = 0
        var out = String(groups[0])
        for group in groups.dropFirst() {
            out += " "
            for character in group {
                guard character.isNumber else {
                    out.append(character)
                    continue
                }
                seen += 1
                out.append(seen == 1 || seen > totalDigits - 2 ? character : "•")
            }
        }
        return out
    }

    /// Masks every digit of raw input but the last two.
    /// `text` with every run of seven or more digits (a phone number, with its `+` and spaces) masked, for what is
    /// copied from elsewhere into logs and records (a provider's error body).
    public static func maskNumbers(in text: String) -> String {
        text.replacing(#/\+?\d[\d ().-]{5,}\d/#) { match in
            String(match.output).filter(\.isNumber).count >= 7 ? maskDigits(String(match.output)) : String(match.output)
        }
    }

    static func maskDigits(_ text: String) -> String {
        let digits = text.filter(\.isNumber).count
        var seen = 0
        return String(text.map { character -> Character in
            guard character.isNumber else { return character }
            seen += 1
            return seen > digits - 2 ? character : "•"
        })
    }

    private static func call(_ text: String, region: String) -> hr_phone_result {
        var result = hr_phone_result()
        hr_phone_parse(text, region, &result)
        return result
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
