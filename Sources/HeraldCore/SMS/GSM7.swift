/// The GSM 03.38 default alphabet and its extension table.
public enum GSM7 {
    /// Septets a scalar costs: 1 in the default alphabet, 2 through the extension table (escape + char),
    /// 0 when it is not GSM-7 at all.
    @inline(__always)
    public static func septets(_ scalar: UInt32) -> Int {
        if scalar < 0x80 { return asciiSeptets(UInt8(truncatingIfNeeded: scalar)) }
        switch scalar {
        case 0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8, 0x00C5, 0x00E5,
            0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6,
            0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6,
            0x00F1, 0x00FC, 0x00E0:
            return 1
        case 0x20AC:  // € is in the extension table
            return 2
        default:
            return 0
        }
    }

    /// Whether every character of `text` is GSM-7.
    public static func contains(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { septets($0.value) > 0 }
    }

    /// Septets an ASCII byte costs, from two 128-bit masks (constants: no table to load per call).
    /// GSM-7: printable ASCII but the backquote, plus LF, CR and form feed; extension: ^ { } \\ [ ~ ] | and form feed.
    @inline(__always)
    public static func asciiSeptets(_ byte: UInt8) -> Int {
        let low = byte < 64
        let bit = UInt64(1) &<< UInt64(byte & 63)
        let gsm = (low ? 0xffff_ffff_0000_3400 : 0x7fff_fffe_ffff_ffff) & bit != 0
        let extended = (low ? 0x1000 : 0x7800_0000_7800_0000) & bit != 0
        return gsm ? (extended ? 2 : 1) : 0
    }

    /// Cost of each ASCII code point: 1 default alphabet, 2 extension table, 0 not GSM-7 (the reference the masks
    /// of ``asciiSeptets(_:)`` are checked against).
    static let asciiCost: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        for byte in 0x20...0x7E { table[byte] = 1 }
        table[0x0A] = 1  // LF
        table[0x0D] = 1  // CR
        table[0x0C] = 2  // form feed (page break) is an extension character
        table[0x60] = 0  // ` has no GSM-7 form
        for extended in Array("^{}\\[~]|".utf8) { table[Int(extended)] = 2 }
        return table
    }()
}
