/// Where ICU's apostrophe quoting swallows what looks like an argument.
///
/// In ICU MessageFormat an apostrophe before `{` or `}` starts quoted text, printed as it is up to the next
/// apostrophe: `d'{amount, number, ::currency/TND}` prints the braces and the name, not the amount. ICU is right to
/// do so, but no French author means it. `''` is a literal apostrophe, and so is one before any other character.
enum Apostrophes {
    struct Swallowed: Equatable {
        /// UTF-16 offset of the apostrophe in the message.
        var offset: Int
        /// The text from the apostrophe, as written (up to the closing apostrophe or 40 characters).
        var snippet: String
        /// What ICU prints as text instead of formatting it.
        var quoted: String
        /// True when no apostrophe closes the quote: the rest of the message is text.
        var unclosed: Bool
    }

    /// Every quote that holds a brace.
    static func swallowed(in text: String) -> [Swallowed] {
        let units = Array(text.utf16)
        let apostrophe = UInt16(UInt8(ascii: "'"))
        let open = UInt16(UInt8(ascii: "{")), close = UInt16(UInt8(ascii: "}"))
        var out: [Swallowed] = []
        var i = 0
        while i < units.count {
            guard units[i] == apostrophe else { i += 1; continue }
            guard i + 1 < units.count else { break }
            let next = units[i + 1]
            if next == apostrophe { i += 2; continue }
            guard next == open || next == close else { i += 1; continue }
            // Quoted from here to the next single apostrophe ('' inside stands for one).
            var j = i + 1
            var end: Int?
            while j < units.count {
                if units[j] == apostrophe {
                    if j + 1 < units.count, units[j + 1] == apostrophe { j += 2; continue }
                    end = j
                    break
                }
                j += 1
            }
            let stop = end ?? units.count
            let quoted = String(decoding: units[(i + 1)..<stop], as: UTF16.self)
            let written = String(decoding: units[i..<min(units.count, (end ?? units.count - 1) + 1)], as: UTF16.self)
            out.append(Swallowed(
                offset: i, snippet: String(written.prefix(40)), quoted: quoted, unclosed: end == nil))
            i = stop + 1
        }
        return out
    }
}
