import Testing
@testable import HeraldCore

@Suite struct SegmentTests {
    /// The byte-at-a-time and eight-at-a-time paths of SMS.count against a plain reference, over random texts
    /// mixing every ASCII byte, GSM-7 letters, typographic spaces, Ethiopic and emoji.
    @Test func countEqualsAReferenceOverRandomTexts() {
        let pieces: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) } + [
            "é", "à", "€", "Ç", "\u{202F}", "\u{00A0}", "ê", "ሀ", "ለ", "😀", "🚗", "plain text ", "[x]", "_under_",
        ]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<(next() % 90) { text += pieces[next() % (next() % 4 == 0 ? pieces.count : 128)] }
            let gsm = text.unicodeScalars.allSatisfy { GSM7.septets($0.value) > 0 }
            let units = gsm ? text.unicodeScalars.reduce(0) { $0 + GSM7.septets($1.value) } : text.utf16.count
            #expect(SMS.count(text) == SMS.segmentCount(gsm ? .gsm7 : .ucs2, units: units), "\(text.debugDescription)")
        }
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

    @Test func emptyText() {
        #expect(SMS.count("") == SegmentCount(encoding: .gsm7, units: 0, segments: 0))
        #expect(SMS.parts("").isEmpty)
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
