import HeraldTestSupport
import Testing
@testable import HeraldCore

@Suite struct SegmentTests {
    /// An independent oracle: the encoding, the units, and the parts a provider cuts (3GPP TS 23.040: 160/70 in one
    /// SMS, else 153/67 a part, never splitting an escape pair or a surrogate pair; an empty text is one SMS).
    static func oracle(_ text: String) -> SegmentCount {
        let scalars = Array(text.unicodeScalars)
        let gsm = scalars.allSatisfy { GSM7.septets($0.value) > 0 }
        let costs = scalars.map { gsm ? GSM7.septets($0.value) : ($0.value > 0xFFFF ? 2 : 1) }
        let units = costs.reduce(0, +)
        if units <= (gsm ? 160 : 70) {
            return SegmentCount(encoding: gsm ? .gsm7 : .ucs2, units: units, segments: 1)
        }
        var parts = 1
        var used = 0
        for cost in costs {
            if used + cost > (gsm ? 153 : 67) {
                parts += 1
                used = 0
            }
            used += cost
        }
        return SegmentCount(encoding: gsm ? .gsm7 : .ucs2, units: units, segments: parts)
    }

    /// One definition: the count is the number of parts. The fast count against the oracle over 100,000 random texts
    /// of 0 to 1,000 characters mixing GSM-7 basic and escape characters, every ASCII byte, non-GSM BMP letters,
    /// typographic spaces, Ethiopic and emoji; the parts themselves on every tenth.
    /// 100,000 random texts: a minute of CPU, run on a thread of its own so the async tests beside it keep their
    /// threads.
    @Test func countEqualsThePartsOverRandomTexts() async {
        let (problems, failures, multipart) = await onOwnThread { Self.randomTexts() }
        for problem in problems.prefix(5) { Issue.record(Comment(rawValue: problem)) }
        #expect(failures == 0)
        #expect(multipart > 30_000)
    }

    static func randomTexts() -> (problems: [String], failures: Int, multipart: Int) {
        var problems: [String] = []
        let ascii: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        let gsmBasic = ["a", "Z", "0", " ", "é", "à", "Ç", "Ø", "Δ", "ß", "\n", "@", "£", "¿", "ü"]
        let gsmEscape = ["€", "[", "]", "{", "}", "~", "^", "|", "\\"]
        let bmp = ["ê", "ç", "’", "\u{202F}", "\u{00A0}", "–", "ł", "Ж", "ع"]
        let astral = ["😀", "🚗", "𝄞", "👍🏽"]
        let ethiopic = ["ሀ", "ለ", "ሐ", "መ", "ሠ", "ረ", "፣", "።"]
        // Texts of one alphabet stay GSM-7 often enough to test escape pairs on GSM-7 boundaries.
        let mixes: [[[String]]] = [
            [gsmBasic, gsmEscape], [gsmBasic, gsmEscape, ascii], [ethiopic, astral], [bmp, astral, gsmEscape],
            [gsmBasic, gsmEscape, bmp, astral, ethiopic, ascii], [astral], [gsmEscape], [ethiopic, gsmBasic],
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var failures = 0
        var multipart = 0
        for n in 0..<100_000 {
            let groups = mixes[next() % mixes.count]
            let length = next() % 1_001
            var text = ""
            text.reserveCapacity(length * 2)
            for _ in 0..<length {
                let group = groups[next() % groups.count]
                text += group[next() % group.count]
            }
            let count = SMS.count(text)
            let expected = Self.oracle(text)
            if count.segments > 1 { multipart += 1 }
            if count != expected {
                failures += 1
                problems.append("\(text.debugDescription): \(count) ≠ \(expected)")
            }
            if n % 10 == 0 {
                let parts = SMS.parts(text)
                if parts.count != count.segments || parts.joined() != text {
                    failures += 1
                    problems.append("\(text.debugDescription): \(parts.count) parts for \(count.segments) segments, or parts that do not join back")
                }
            }
        }
        return (problems, failures, multipart)
    }

    @Test func asciiMasksEqualTheAlphabetTable() {
        for byte in 0..<128 {
            #expect(GSM7.asciiSeptets(UInt8(byte)) == Int(GSM7.asciiCost[byte]), "byte \(byte)")
        }
        #expect(GSM7.asciiSeptets(UInt8(ascii: "a")) == 1)
        #expect(GSM7.asciiSeptets(UInt8(ascii: "{")) == 2)
        #expect(GSM7.asciiSeptets(UInt8(ascii: "`")) == 0)
    }

    @Test(arguments: [
        (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4),
    ])
    func gsmBoundaries(length: Int, segments: Int) {
        let count = SMS.count(String(repeating: "a", count: length))
        #expect(count == SegmentCount(encoding: .gsm7, units: length, segments: segments))
        #expect(SMS.parts(String(repeating: "a", count: length)).count == segments)
    }

    @Test func extensionCharactersCostTwoSeptets() {
        // 159 + € (2 septets) = 161: no longer one segment.
        let text = String(repeating: "a", count: 159) + "€"
        #expect(SMS.count(text) == SegmentCount(encoding: .gsm7, units: 161, segments: 2))
        #expect(SMS.count("{}[]~|^\\") == SegmentCount(encoding: .gsm7, units: 16, segments: 1))
    }

    @Test func anEscapePairIsNeverSplitAcrossParts() {
        // 152 septets, then € would take septets 153 and 154: it moves whole to part 2.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let parts = SMS.parts(text)
        #expect(parts == [String(repeating: "a", count: 152), "€" + String(repeating: "b", count: 10)])
        #expect(SMS.count(text).segments == 2)
    }

    @Test(arguments: [(70, 1), (71, 2), (134, 2), (135, 3)])
    func amharicIsUCS2(length: Int, segments: Int) {
        let text = String(repeating: "ሀ", count: length)
        #expect(SMS.count(text) == SegmentCount(encoding: .ucs2, units: length, segments: segments))
        let parts = SMS.parts(text)
        #expect(parts.count == segments)
        #expect(parts.joined() == text)
    }

    @Test func aSurrogatePairIsNeverSplitAcrossParts() {
        // 66 units, then an emoji needing units 67 and 68: it moves whole to part 2.
        let text = String(repeating: "ሀ", count: 66) + "😀" + String(repeating: "ለ", count: 5)
        #expect(SMS.count(text) == SegmentCount(encoding: .ucs2, units: 73, segments: 2))
        #expect(SMS.parts(text) == [String(repeating: "ሀ", count: 66), "😀" + String(repeating: "ለ", count: 5)])
        // an emoji alone costs two units
        #expect(SMS.count("😀") == SegmentCount(encoding: .ucs2, units: 2, segments: 1))
    }

    /// The cases a segment counter gets wrong when it divides: the count, the parts and the oracle agree.
    @Test(arguments: [
        (String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 152), 3),
        (String(repeating: "€", count: 153), 3),
        (String(repeating: "€", count: 80), 1),
        (String(repeating: "€", count: 81), 2),
        (String(repeating: "😀", count: 35), 1),
        (String(repeating: "😀", count: 67), 3),
        (String(repeating: "😀", count: 100), 4),
        (String(repeating: "ሀ", count: 66) + "😀" + String(repeating: "ለ", count: 66), 3),
        ("", 1),
    ])
    func boundaryCasesCountTheParts(text: String, segments: Int) {
        let count = SMS.count(text)
        #expect(count.segments == segments)
        #expect(SMS.parts(text).count == segments)
        #expect(count == Self.oracle(text))
    }

    /// Room before the next segment, on every side of the boundaries.
    @Test func roomIsWhatFitsBeforeTheNextSegment() {
        #expect(SMS.room("") == 160)
        #expect(SMS.room(String(repeating: "a", count: 150)) == 10)
        #expect(SMS.room(String(repeating: "a", count: 160)) == 0)
        #expect(SMS.room(String(repeating: "a", count: 161)) == 153 - 8)
        #expect(SMS.room(String(repeating: "a", count: 152) + "€") == 6)
        #expect(SMS.room(String(repeating: "a", count: 305) + "€") == 151)
        #expect(SMS.room("ሀ") == 69)
        #expect(SMS.countWithoutUCS2Characters("Vous avez reçu " + String(repeating: "a", count: 60)) == SMS.count("Vous avez re?u " + String(repeating: "a", count: 60)))
    }

    /// An empty text is one SMS, as providers bill it: one empty part.
    @Test func emptyText() {
        #expect(SMS.count("") == SegmentCount(encoding: .gsm7, units: 0, segments: 1))
        #expect(SMS.parts("") == [""])
    }

    /// Forced to UCS-2 (the catalog check's worst case when a value brings a non-GSM character): surrogate pairs
    /// on part boundaries count.
    @Test func countAsUCS2CountsTheParts() {
        #expect(SMS.countAsUCS2(String(repeating: "a", count: 70)).segments == 1)
        #expect(SMS.countAsUCS2(String(repeating: "a", count: 71)).segments == 2)
        let emoji = String(repeating: "😀", count: 67)
        #expect(SMS.countAsUCS2(emoji) == SMS.count(emoji))
        #expect(SMS.countAsUCS2("a" + emoji).segments == 3)
    }

    @Test func gsmAlphabet() {
        #expect(SMS.count("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r").encoding == .gsm7)
        for notGSM in ["`", "\t", "ê", "ç", "’", "\u{00A0}", "\u{202F}", "ሀ", "😀"] {
            #expect(SMS.count("abc" + notGSM).encoding == .ucs2, "\(notGSM) is not GSM-7")
        }
        #expect(SMS.nonGSMCharacters("Bonjour ç’ç").map(\.codePoint) == ["U+00E7", "U+2019"])
    }

    @Test func countMatchesAScalarByScalarCount() {
        // The fast UTF-8 path against the plain definition, over mixed texts.
        let samples = ["Hello", "Prix: 12€ {ok}", "Émise à 10h", "ሰላም 😀 ok", "naïve – test…", String(repeating: "ab€", count: 70)]
        for text in samples {
            let gsm = text.unicodeScalars.allSatisfy { GSM7.septets($0.value) > 0 }
            let units = gsm ? text.unicodeScalars.reduce(0) { $0 + GSM7.septets($1.value) } : text.utf16.count
            #expect(SMS.count(text).units == units, "\(text)")
            #expect(SMS.count(text).encoding == (gsm ? .gsm7 : .ucs2))
        }
    }
}
