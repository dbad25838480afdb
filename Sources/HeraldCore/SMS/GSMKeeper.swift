import Foundation

/// One kind of character replaced to keep a message in GSM-7.
public struct Replacement: Sendable, Equatable, Codable {
    /// The character replaced, as `U+202F`.
    public var codePoint: String
    public var character: String
    /// What it became ("" when dropped).
    public var replacement: String
    public var count: Int
}

/// The outcome of applying a locale's GSM-7 policy to a text.
public struct KeptText: Sendable, Equatable {
    public var text: String
    /// Empty when the text was left as it was.
    public var replacements: [Replacement]
    /// Characters that keep the text in UCS-2 (empty when it is GSM-7).
    public var forcedUCS2: [Unicode.Scalar]
}

/// Keeps messages in GSM-7 when only spaces and typographic lookalikes stand in the way.
///
/// The map follows the public references for SMS sanitising (Twilio's Smart Encoding, GOV.UK Notify):
/// no-break and thin spaces become a space one for one, invisible direction marks are dropped, curly
/// quotes, primes and guillemets become straight quotes, dashes a hyphen, the ellipsis three dots.
/// Letters are only touched by a transliteration the locale names.
public enum GSMKeeper {
    public static func apply(_ text: String, policy: GSMPolicy) -> KeptText {
        let before = SMS.nonGSMCharacters(text)
        if before.isEmpty { return KeptText(text: text, replacements: [], forcedUCS2: []) }
        var blocking: [Unicode.Scalar] = []
        for scalar in before where replacement(for: scalar, policy: policy) == nil {
            blocking.append(scalar)
        }
        // Replacing only helps when it makes the whole message GSM-7; otherwise the text stays as ICU wrote it.
        guard blocking.isEmpty else { return KeptText(text: text, replacements: [], forcedUCS2: blocking) }
        var out = String.UnicodeScalarView()
        var counts: [UInt32: Int] = [:]
        var order: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if GSM7.septets(scalar.value) > 0 {
                out.append(scalar)
                continue
            }
            let replaced = replacement(for: scalar, policy: policy)!
            out.append(contentsOf: replaced.unicodeScalars)
            if counts[scalar.value] == nil { order.append(scalar) }
            counts[scalar.value, default: 0] += 1
        }
        let replacements = order.map {
            Replacement(
                codePoint: $0.codePoint, character: String($0), replacement: replacement(for: $0, policy: policy)!,
                count: counts[$0.value]!)
        }
        return KeptText(text: String(out), replacements: replacements, forcedUCS2: [])
    }

    /// The GSM-7 text standing for `scalar` under `policy`, or nil when it has none.
    public static func replacement(for scalar: Unicode.Scalar, policy: GSMPolicy) -> String? {
        if policy.replaceLookalikes, let lookalike = lookalikes[scalar.value] { return lookalike }
        if policy.transliterate == .latinAccents { return latinAccent(scalar) }
        return nil
    }

    static let lookalikes: [UInt32: String] = {
        var map: [UInt32: String] = [:]
        // Spaces: one for one.
        for space: UInt32 in [0x0009, 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000] + Array(0x2000...0x200A) {
            map[space] = " "
        }
        // Invisible: zero-width, direction marks and isolates, soft hyphen, BOM.
        for invisible: UInt32 in [0x00AD, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
            + Array(0x202A...0x202E) + Array(0x2066...0x2069)
        {
            map[invisible] = ""
        }
        for quote: UInt32 in [0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0x02BC, 0x00B4, 0x0060, 0x2039, 0x203A] {
            map[quote] = "'"
        }
        for quote: UInt32 in [0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0x00AB, 0x00BB] { map[quote] = "\"" }
        for dash: UInt32 in [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D] {
            map[dash] = "-"
        }
        map[0x2026] = "..."
        map[0x2044] = "/"
        map[0x2215] = "/"
        map[0x02C6] = "^"
        map[0x02DC] = "~"
        return map
    }()

    /// A Latin letter without the accent GSM-7 lacks (ê → e), keeping letters GSM-7 has.
    static func latinAccent(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x0153: return "oe"
        case 0x0152: return "OE"
        case 0x00E7: return "c"  // ç: GSM-7's Ç is a capital on strict handsets
        default: break
        }
        guard scalar.properties.isAlphabetic, (0x00C0...0x024F).contains(scalar.value) else { return nil }
        let base = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            !(0x0300...0x036F).contains($0.value)
        }
        let text = String(String.UnicodeScalarView(base))
        return !text.isEmpty && GSM7.contains(text) ? text : nil
    }
}
