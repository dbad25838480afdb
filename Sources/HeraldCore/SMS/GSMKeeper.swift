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

    /// The policy applied, with what it replaced or what stands in its way.
    public static func apply(_ text: String, policy: GSMPolicy) -> KeptText {
        let (kept, count) = keep(text, policy: policy)
        if count.encoding == .ucs2 { return KeptText(text: text, replacements: [], forcedUCS2: blocking(text, policy: policy), count: count) }
        // `keep` hands back the text itself when it was GSM-7 already: then nothing was replaced.
        return KeptText(text: kept, replacements: kept == text ? [] : replacements(text, policy: policy), forcedUCS2: [], count: count)
    }

    /// The text to send and what it costs: `text` itself when it is GSM-7, or when a character without a GSM-7
    /// stand-in keeps it UCS-2 anyway; otherwise the text with every stand-in put in. One pass over the bytes
    /// (eight plain ones at a time), and one more only for a UCS-2 text; nothing allocated but the kept text.
    public static func keep(_ text: String, policy: GSMPolicy) -> (text: String, count: SegmentCount) {
        var text = text
        let count = SMS.count(text)
        if count.encoding == .gsm7 { return (text, count) }
        let kept: (String, Int)? = text.withUTF8 { bytes in
            let table = Substitutes.shared
            let n = bytes.count
            guard let base = bytes.baseAddress else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n * table.growth) { out in
                var i = 0, run = 0, w = 0, septets = 0
                while i < n {
                    if i &+ 8 <= n, SMS.isPlain(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                        septets &+= 8
                        i &+= 8
                        continue
                    }
                    let b = base[i]
                    var size = 1
                    var value = UInt32(b)
                    if b < 0x80 {
                        let cost = GSM7.asciiSeptets(b)
                        if cost != 0 {
                            septets &+= cost
                            i &+= 1
                            continue
                        }
                    } else {
                        (value, size) = decode(bytes, at: i)
                        let cost = GSM7.septets(value)
                        if cost != 0 {
                            septets &+= cost
                            i &+= size
                            continue
                        }
                    }
                    let entry = mayReplace(value) ? table.entry(for: value, policy: policy) : -1
                    // A character with no stand-in: the text stays UCS-2 whatever is replaced, so it stays as it is.
                    guard entry >= 0 else { return nil }
                    (out.baseAddress! + w).update(from: base + run, count: i &- run)
                    w &+= i &- run
                    let substitute = table.entries[Int(entry)]
                    (out.baseAddress! + w).update(from: table.pool.baseAddress! + Int(substitute.offset), count: Int(substitute.length))
                    w &+= Int(substitute.length)
                    septets &+= Int(substitute.septets)
                    i &+= size
                    run = i
                }
                (out.baseAddress! + w).update(from: base + run, count: n &- run)
                w &+= n &- run
                return (String(decoding: UnsafeBufferPointer(rebasing: out[..<w]), as: UTF8.self), septets)
            }
        }
        guard let kept else { return (text, count) }
        // Within one SMS no pair can fall on a boundary; past it, the parts decide.
        return (kept.0, kept.1 <= SMSEncoding.gsm7.singleCapacity
            ? SegmentCount(encoding: .gsm7, units: kept.1, segments: 1) : SMS.count(kept.0))
    }

    /// The characters of `text` that have no GSM-7 stand-in under `policy`: the first few distinct ones, in order.
    public static func blocking(_ text: String, policy: GSMPolicy) -> [Unicode.Scalar] {
        var blocking: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where GSM7.septets(scalar.value) == 0 && !blocking.contains(scalar) {
            guard !mayReplace(scalar.value) || Substitutes.shared.entry(for: scalar.value, policy: policy) < 0 else { continue }
            blocking.append(scalar)
            if blocking.count == namedLimit { break }
        }
        return blocking
    }

    /// What the policy replaces in `text`, each kind once with how often, in order of first appearance.
    public static func replacements(_ text: String, policy: GSMPolicy) -> [Replacement] {
        let table = Substitutes.shared
        var replacements: [Replacement] = []
        var seen: [Int32] = []
        for scalar in text.unicodeScalars where GSM7.septets(scalar.value) == 0 {
            let entry = mayReplace(scalar.value) ? table.entry(for: scalar.value, policy: policy) : -1
            guard entry >= 0 else { continue }
            if let k = seen.firstIndex(of: entry) {
                replacements[k].count += 1
            } else {
                seen.append(entry)
                var replacement = table.replacements[Int(entry)]
                replacement.count = 1
                replacements.append(replacement)
            }
        }
        return replacements
    }

    /// The scalar starting at `i` of well-formed UTF-8, and its length in bytes.
    @inline(__always)
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b = bytes[i]
        if b < 0x80 { return (UInt32(b), 1) }
        if b < 0xE0 { return ((UInt32(b & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b < 0xF0 {
            return ((UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F), 3)
        }
        let value = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12) | (UInt32(bytes[i + 2] & 0x3F) << 6)
            | UInt32(bytes[i + 3] & 0x3F)
        return (value, 4)
    }

    /// Every stand-in the policies know, worked out once: its bytes, septets and how a report names it.
    final class Substitutes: @unchecked Sendable {
        static let shared = Substitutes()

        /// Where a stand-in's bytes are in `pool`, and what it costs.
        struct Entry {
            let offset: Int32
            let length: UInt8
            let septets: UInt8
        }

        let entries: [Entry]
        /// Each entry as a report names it, with a count of 0.
        let replacements: [Replacement]
        /// Every stand-in's bytes, one after the other (never freed: the table lives as long as the process).
        let pool: UnsafeBufferPointer<UInt8>
        /// How many times its own length a text can grow by (1: no stand-in is longer than what it replaces).
        let growth: Int
        /// Index into `entries` by scalar below `flatLimit`, -1 for none; the others in a dictionary.
        private let lookalikeFlat: [Int32]
        private let lookalikeOther: [UInt32: Int32]
        private let accentFlat: [Int32]
        private static let flatLimit: UInt32 = 0x2300

        private init() {
            var entries: [Entry] = []
            var replacements: [Replacement] = []
            var bytes: [UInt8] = []
            var growth = 1
            func add(_ scalar: UInt32, _ text: String) -> Int32 {
                let character = Unicode.Scalar(scalar)!
                let utf8 = Array(text.utf8)
                entries.append(Entry(
                    offset: Int32(bytes.count), length: UInt8(utf8.count),
                    septets: UInt8(text.unicodeScalars.reduce(0) { $0 + GSM7.septets($1.value) })))
                bytes += utf8
                growth = Swift.max(growth, (utf8.count + character.utf8.count - 1) / character.utf8.count)
                replacements.append(Replacement(codePoint: character.codePoint, character: String(character), replacement: text, count: 0))
                return Int32(entries.count - 1)
            }
            var flat = [Int32](repeating: -1, count: Int(Self.flatLimit))
            var other: [UInt32: Int32] = [:]
            for (scalar, text) in GSMKeeper.lookalikes.sorted(by: { $0.key < $1.key }) {
                let index = add(scalar, text)
                if scalar < Self.flatLimit { flat[Int(scalar)] = index } else { other[scalar] = index }
            }
            var accents = [Int32](repeating: -1, count: 0x250)
            for scalar in UInt32(0x80)..<0x250 {
                if let text = GSMKeeper.latinAccent(Unicode.Scalar(scalar)!) { accents[Int(scalar)] = add(scalar, text) }
            }
            let pool = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(bytes.count, 1))
            _ = pool.initialize(from: bytes)
            self.pool = UnsafeBufferPointer(pool)
            self.entries = entries
            self.replacements = replacements
            self.growth = growth
            lookalikeFlat = flat
            lookalikeOther = other
            accentFlat = accents
        }

        /// The entry standing for `scalar` under `policy`, or -1: a lookalike first, then a transliteration.
        @inline(__always)
        func entry(for scalar: UInt32, policy: GSMPolicy) -> Int32 {
            if policy.replaceLookalikes {
                let index = scalar < Self.flatLimit ? lookalikeFlat[Int(scalar)] : lookalikeOther[scalar] ?? -1
                if index >= 0 { return index }
            }
            if policy.transliterate == .latinAccents, scalar < 0x250 { return accentFlat[Int(scalar)] }
            return -1
        }
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
