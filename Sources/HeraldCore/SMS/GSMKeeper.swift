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
    /// Characters that keep the text in UCS-2, the first eight distinct ones (empty when it is GSM-7).
    public var forcedUCS2: [Unicode.Scalar]
    /// What `text` costs.
    public var count: SegmentCount
}

/// Keeps messages in GSM-7 when only spaces and typographic lookalikes stand in the way.
///
/// The map follows the public references for SMS sanitising (Twilio's Smart Encoding, GOV.UK Notify):
/// no-break and thin spaces become a space one for one, invisible direction marks are dropped, curly
/// quotes, primes and guillemets become straight quotes, dashes a hyphen, the ellipsis three dots.
/// Letters are only touched by a transliteration the locale names.
public enum GSMKeeper {
    /// How many of the characters forcing UCS-2 are named.
    public static let namedLimit = 8

    public static func apply(_ text: String, policy: GSMPolicy) -> KeptText {
        // Most messages are GSM-7 already, or UCS-2 by a script the policy cannot help: one pass over the bytes,
        // then one over the characters until the first few that stand in the way.
        let count = SMS.count(text)
        if count.encoding == .gsm7 { return KeptText(text: text, replacements: [], forcedUCS2: [], count: count) }
        var blocking: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where GSM7.septets(scalar.value) == 0 {
            guard !mayReplace(scalar.value) || replacement(for: scalar, policy: policy) == nil else { continue }
            if !blocking.contains(scalar) {
                blocking.append(scalar)
                if blocking.count == namedLimit { break }
            }
        }
        // Replacing only helps when it makes the whole message GSM-7; otherwise the text stays as ICU wrote it.
        guard blocking.isEmpty else { return KeptText(text: text, replacements: [], forcedUCS2: blocking, count: count) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var counts: [UInt32: Int] = [:]
        var order: [Unicode.Scalar] = []
        var utf8 = text
        utf8.withUTF8 { bytes in
            var i = 0
            var run = 0  // start of the GSM-7 bytes not yet copied
            while i < bytes.count {
                let b = bytes[i]
                let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                var value = UInt32(b)
                if length > 1 {
                    value = UInt32(b) & (0xFF >> (length + 1))
                    for k in 1..<length { value = (value << 6) | UInt32(bytes[i + k] & 0x3F) }
                }
                if GSM7.septets(value) == 0 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    run = i + length
                    let scalar = Unicode.Scalar(value)!
                    out.append(contentsOf: replacement(for: scalar, policy: policy)!.utf8)
                    if counts[value] == nil { order.append(scalar) }
                    counts[value, default: 0] += 1
                }
                i += length
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
        let replacements = order.map {
            Replacement(
                codePoint: $0.codePoint, character: String($0), replacement: replacement(for: $0, policy: policy)!,
                count: counts[$0.value]!)
        }
        let kept = String(decoding: out, as: UTF8.self)
        return KeptText(text: kept, replacements: replacements, forcedUCS2: [], count: SMS.count(kept))
    }

    /// Whether `scalar` is in a range where a lookalike or a Latin transliteration exists: scripts such as
    /// Ethiopic are refused without a lookup.
    @inline(__always)
    static func mayReplace(_ scalar: UInt32) -> Bool {
        scalar < 0x0700 || scalar == 0x1680 || (0x2000...0x2215).contains(scalar) || scalar == 0x3000
            || (0xFE58...0xFF0D).contains(scalar)
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
