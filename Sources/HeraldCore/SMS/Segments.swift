/// The alphabet an SMS is sent in.
public enum SMSEncoding: String, Sendable, Codable {
    case gsm7 = "GSM-7"
    case ucs2 = "UCS-2"

    /// Units one single-part message holds.
    public var singleCapacity: Int { self == .gsm7 ? 160 : 70 }
    /// Units each part of a multipart message holds (the rest carries the concatenation header).
    public var partCapacity: Int { self == .gsm7 ? 153 : 67 }
}

/// What a text costs as SMS.
public struct SegmentCount: Sendable, Equatable, Codable {
    public var encoding: SMSEncoding
    /// Septets for GSM-7 (an extension character counts 2), UTF-16 code units for UCS-2.
    public var units: Int
    public var segments: Int
}

/// Encoding and segmentation of SMS text (3GPP TS 23.038 / 23.040).
public enum SMS {
    /// The encoding, units and segments of `text`, without changing it. Fast: no allocation.
    public static func count(_ text: String) -> SegmentCount {
        var text = text
        return text.withUTF8 { count(utf8: $0) }
    }

    /// The count over UTF-8 bytes (well-formed UTF-8 as Swift strings hold it).
    public static func count(utf8 bytes: UnsafeBufferPointer<UInt8>) -> SegmentCount {
        var septets = 0
        var utf16 = 0
        var gsm = true
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return SegmentCount(encoding: .gsm7, units: 0, segments: 1) }
        while i < n && gsm {
            // Eight plain characters at a time (printable ASCII that is one septet: neither a control character,
            // the backquote, DEL, nor one of [ \ ] ^ { | } ~).
            if i &+ 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if isPlain(word) {
                    septets &+= 8
                    utf16 &+= 8
                    i &+= 8
                    continue
                }
            }
            let b = base[i]
            if b < 0x80 {
                let cost = GSM7.asciiSeptets(b)
                septets &+= cost
                gsm = gsm && cost != 0
                utf16 &+= 1
                i &+= 1
                continue
            }
            let scalar: UInt32
            if b < 0xE0 {
                scalar = (UInt32(b & 0x1F) << 6) | UInt32(base[i + 1] & 0x3F)
                i &+= 2
            } else if b < 0xF0 {
                scalar = (UInt32(b & 0x0F) << 12) | (UInt32(base[i + 1] & 0x3F) << 6) | UInt32(base[i + 2] & 0x3F)
                i &+= 3
            } else {
                scalar = 0x10000
                i &+= 4
            }
            if scalar >= 0x10000 {
                utf16 &+= 2
                gsm = false
            } else {
                utf16 &+= 1
                if gsm {
                    let cost = GSM7.septets(scalar)
                    septets &+= cost
                    gsm = cost != 0
                }
            }
        }
        // In GSM-7 every character is one UTF-16 unit, so septets beyond them are escape pairs.
        if gsm { return finish(.gsm7, units: septets, pairs: septets &- utf16, bytes: bytes) }
        // UCS-2 from here on: only UTF-16 units matter. Every byte that does not continue a character starts one
        // unit, and a 4-byte character is two; eight bytes at a time, character boundaries do not matter.
        // Surrogate pairs: the GSM-7 pass read GSM-7 characters only, but for the last, which may have been one.
        let high: UInt64 = 0x8080_8080_8080_8080
        var pairs = i >= 4 && base[i &- 4] >= 0xF0 ? 1 : 0
        while i &+ 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let continuation = word & high & ~(word << 1)
            let fourByte = (word & (word << 1) & (word << 2) & (word << 3) & high).nonzeroBitCount
            utf16 &+= 8 &- continuation.nonzeroBitCount &+ fourByte
            pairs &+= fourByte
            i &+= 8
        }
        while i < n {
            let b = base[i]
            if b & 0xC0 != 0x80 { utf16 &+= b >= 0xF0 ? 2 : 1 }
            if b >= 0xF0 { pairs &+= 1 }
            i &+= 1
        }
        return finish(.ucs2, units: utf16, pairs: pairs, bytes: bytes)
    }

    /// The segments of a text of `units` units with `pairs` two-unit characters (escape pairs in GSM-7, surrogate
    /// pairs in UCS-2): one for a text that fits one SMS (an empty text is billed as one), else the number of
    /// parts `parts` cuts, worked out by division when no pair can fall on a boundary.
    static func finish(_ encoding: SMSEncoding, units: Int, pairs: Int, bytes: UnsafeBufferPointer<UInt8>) -> SegmentCount {
        if units <= encoding.singleCapacity || pairs == 0 {
            return SegmentCount(encoding: encoding, units: units, segments: segments(units: units, encoding))
        }
        return SegmentCount(encoding: encoding, units: units, segments: partCount(utf8: bytes, encoding))
    }

    /// `partCount` over UTF-8 bytes, without decoding into a string.
    static func partCount(utf8 bytes: UnsafeBufferPointer<UInt8>, _ encoding: SMSEncoding) -> Int {
        var count = 1
        var used = 0
        let capacity = encoding.partCapacity
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            let cost: Int
            if encoding == .ucs2 {
                i &+= 1
                if b & 0xC0 == 0x80 { continue }
                cost = b >= 0xF0 ? 2 : 1
            } else if b < 0x80 {
                cost = GSM7.asciiSeptets(b)
                i &+= 1
            } else if b < 0xE0 {
                cost = GSM7.septets((UInt32(b & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F))
                i &+= 2
            } else {
                cost = GSM7.septets((UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F))
                i &+= 3
            }
            if used &+ cost > capacity {
                count &+= 1
                used = 0
            }
            used &+= cost
        }
        return count
    }

    /// Segments by division: right when no two-unit character exists.
    static func segments(units: Int, _ encoding: SMSEncoding) -> Int {
        units <= encoding.singleCapacity ? 1 : (units + encoding.partCapacity - 1) / encoding.partCapacity
    }

    /// How many parts `parts` cuts the scalars into, without making them.
    static func partCount(_ scalars: String.UnicodeScalarView, _ encoding: SMSEncoding) -> Int {
        var count = 1
        var used = 0
        let capacity = encoding.partCapacity
        for scalar in scalars {
            let cost = cost(scalar, encoding)
            if used + cost > capacity {
                count += 1
                used = 0
            }
            used += cost
        }
        return count
    }

    @inline(__always)
    static func cost(_ scalar: Unicode.Scalar, _ encoding: SMSEncoding) -> Int {
        encoding == .gsm7 ? GSM7.septets(scalar.value) : (scalar.value >= 0x10000 ? 2 : 1)
    }

    /// What `text` costs sent as UCS-2, whatever its characters (the cost if a value forces UCS-2).
    public static func countAsUCS2(_ text: String) -> SegmentCount {
        let units = text.utf16.count
        let pairs = units - text.unicodeScalars.count
        guard units > SMSEncoding.ucs2.singleCapacity, pairs > 0 else {
            return SegmentCount(encoding: .ucs2, units: units, segments: segments(units: units, .ucs2))
        }
        return SegmentCount(encoding: .ucs2, units: units, segments: partCount(text.unicodeScalars, .ucs2))
    }

    /// Whether all eight bytes of `word` are plain one-septet ASCII (SWAR: no byte with the high bit, below 0x20,
    /// equal to 0x60, or in 0x5B...0x5F once bit 5 is cleared, which catches [ \ ] ^ _ { | } ~ DEL; `_` is then
    /// rechecked one byte at a time, which is only slower, never wrong).
    @inline(__always)
    static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        if word & high != 0 { return false }
        // A byte below 0x20.
        if (word &- ones &* 0x20) & ~word & high != 0 { return false }
        // A byte equal to 0x60.
        let backquote = word ^ (ones &* 0x60)
        if (backquote &- ones) & ~backquote & high != 0 { return false }
        // A byte in 0x5B...0x5F after clearing bit 5 (all bytes are below 0x80 here).
        let folded = word & (ones &* 0xDF)
        let atLeast = (folded &+ ones &* (0x80 - 0x5B)) & high  // byte >= 0x5B
        let below = (ones &* (0x80 + 0x60) &- folded) & high    // byte < 0x60
        return atLeast & below == 0
    }

    /// The text of each part as it is sent: this is what a segment count counts (`count(text).segments` equals
    /// `parts(text).count`; an empty text is one empty part, as providers bill it). A part never ends between the
    /// two septets of an extension character or the two halves of a surrogate pair, so a part may hold one unit
    /// less than its capacity.
    public static func parts(_ text: String) -> [String] {
        let count = count(text)
        guard count.segments > 1 else { return [text] }
        let capacity = count.encoding.partCapacity
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let cost = cost(scalar, count.encoding)
            if used + cost > capacity {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += cost
        }
        if !current.isEmpty { parts.append(String(current)) }
        return parts
    }

    /// Septets (GSM-7) or UTF-16 units still free in the text's last part: how much can be added before it takes
    /// one more segment.
    public static func room(_ text: String) -> Int {
        let c = count(text)
        if c.segments == 1 { return max(0, c.encoding.singleCapacity - c.units) }
        let last = parts(text).last ?? ""
        let used = last.unicodeScalars.reduce(0) { $0 + cost($1, c.encoding) }
        return c.encoding.partCapacity - used
    }

    /// What the text would cost if the characters that force UCS-2 were GSM-7 letters: the price of those
    /// characters, set against `count(text)`.
    public static func countWithoutUCS2Characters(_ text: String) -> SegmentCount {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(GSM7.septets(scalar.value) == 0 ? "?" : scalar) }
        return count(String(scalars))
    }

    /// The distinct characters of `text` that are not GSM-7, in order of first appearance.
    public static func nonGSMCharacters(_ text: String) -> [Unicode.Scalar] {
        var seen = Set<UInt32>()
        var out: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where GSM7.septets(scalar.value) == 0 {
            if seen.insert(scalar.value).inserted { out.append(scalar) }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// `U+202F`, the way Herald names a character in reports.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
