import Foundation
import Testing
@testable import HeraldCore

@Suite struct GSMPolicyTests {
    let invoice = [
        "firstName": "Amine", "invoiceNumber": "F-2026-0042", "total": "1234.5", "carMake": "Peugeot", "carModel": "208",
    ]

    @Test func frenchInvoiceStaysGSM7InOneSegment() throws {
        let r = try shippedRenderer.render(
            RenderRequest(template: "invoice.created", locale: "fr", timeZone: "Africa/Tunis", parameters: invoice))
        // ICU writes U+202F and U+00A0 ...
        #expect(visible(r.rawText).contains("1<U+202F>234,500<U+00A0>DT"))
        #expect(r.rawCount.encoding == .ucs2)
        #expect(r.rawCount.segments == 2)
        // ... which the policy turns into plain spaces.
        #expect(r.text.contains("de 1 234,500 DT pour"))
        #expect(r.encoding == .gsm7)
        #expect(r.segments == 1)
        #expect(r.replacements.map(\.codePoint) == ["U+202F", "U+00A0"])
        #expect(r.replacements.allSatisfy { $0.replacement == " " && $0.count == 1 })
    }

    @Test func lookalikesAreReplacedOnlyWhenThatReachesGSM7() {
        let policy = GSMPolicy()
        let kept = GSMKeeper.apply("“Prêt” – l’équipe…", policy: policy)
        // ê is a letter: nothing is replaced, and it is named as the reason for UCS-2.
        #expect(kept.text == "“Prêt” – l’équipe…")
        #expect(kept.forcedUCS2.map(\.codePoint) == ["U+00EA"])
        let clean = GSMKeeper.apply("“Prix” – l’équipe…\u{200F}", policy: policy)
        #expect(clean.text == "\"Prix\" - l'équipe...")
        #expect(SMS.count(clean.text).encoding == .gsm7)
        #expect(clean.replacements.first { $0.codePoint == "U+200F" }?.replacement == "")
    }

    /// The policy as its definition reads, one character at a time: what the byte-level keeper must equal.
    static func reference(_ text: String, policy: GSMPolicy) -> KeptText {
        let count = SMS.count(text)
        if count.encoding == .gsm7 { return KeptText(text: text, replacements: [], forcedUCS2: [], count: count) }
        var blocking: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where GSM7.septets(scalar.value) == 0 {
            if GSMKeeper.replacement(for: scalar, policy: policy) == nil, !blocking.contains(scalar) { blocking.append(scalar) }
        }
        if !blocking.isEmpty {
            return KeptText(text: text, replacements: [], forcedUCS2: Array(blocking.prefix(GSMKeeper.namedLimit)), count: count)
        }
        var kept = ""
        var replacements: [Replacement] = []
        for scalar in text.unicodeScalars {
            guard GSM7.septets(scalar.value) == 0, let stand = GSMKeeper.replacement(for: scalar, policy: policy) else {
                kept.unicodeScalars.append(scalar)
                continue
            }
            kept += stand
            if let k = replacements.firstIndex(where: { $0.codePoint == scalar.codePoint }) {
                replacements[k].count += 1
            } else {
                replacements.append(Replacement(codePoint: scalar.codePoint, character: String(scalar), replacement: stand, count: 1))
            }
        }
        return KeptText(text: kept, replacements: replacements, forcedUCS2: [], count: SMS.count(kept))
    }

    @Test func keeperEqualsTheDefinitionOverRandomTexts() {
        let pieces: [String] = [
            "a", "Z", " ", "1", ",", "`", "\t", "\u{1}", "{", "€", "é", "à", "Ç", "ê", "ç", "œ", "Œ", "ñ", "ő", "ǅ", "ȳ",
            "\u{00A0}", "\u{202F}", "\u{200F}", "\u{FEFF}", "\u{3000}", "\u{1680}", "’", "“", "”", "«", "»", "–", "—",
            "…", "\u{2215}", "\u{FF0D}", "ሀ", "ለ", "ም", "😀", "🚗", "Ω", "Ж", "bonjour ", "DT",
        ]
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let policies = [
            GSMPolicy(), GSMPolicy(replaceLookalikes: false), GSMPolicy(transliterate: .latinAccents),
            GSMPolicy(replaceLookalikes: false, transliterate: .latinAccents),
        ]
        var replaced = 0
        for round in 0..<4000 {
            var text = ""
            // Mostly GSM-7 with a few others, as messages are; every fourth text draws from everything.
            for _ in 0..<(next() % 60) { text += pieces[next() % (round % 4 == 0 ? pieces.count : 12)] }
            if next() % 2 == 0 { text += pieces[next() % pieces.count] }
            for policy in policies {
                let kept = GSMKeeper.apply(text, policy: policy)
                #expect(kept == Self.reference(text, policy: policy), "\(text.debugDescription) \(policy)")
                if !kept.replacements.isEmpty { replaced += 1 }
            }
        }
        #expect(replaced > 500)
    }

    @Test func policyOffKeepsICUOutput() {
        let kept = GSMKeeper.apply("1\u{202F}234,500\u{00A0}DT", policy: GSMPolicy(replaceLookalikes: false))
        #expect(kept.text == "1\u{202F}234,500\u{00A0}DT")
        #expect(kept.forcedUCS2.map(\.codePoint) == ["U+202F", "U+00A0"])
    }

    @Test func lettersChangeOnlyWithANamedTransliteration() {
        let text = "En cas d’empêchement, ç a œuvre"
        #expect(SMS.count(GSMKeeper.apply(text, policy: GSMPolicy()).text).encoding == .ucs2)
        let kept = GSMKeeper.apply(text, policy: GSMPolicy(transliterate: .latinAccents))
        #expect(kept.text == "En cas d'empechement, c a oeuvre")
        #expect(SMS.count(kept.text).encoding == .gsm7)
        // GSM-7's own accented letters are kept.
        #expect(GSMKeeper.apply("été à Noël", policy: GSMPolicy(transliterate: .latinAccents)).text == "été à Noel")
    }

    @Test func amharicStaysUCS2AndUntouched() throws {
        var params = invoice
        params["firstName"] = "አበበ"
        let r = try shippedRenderer.render(
            RenderRequest(template: "invoice.created", locale: "am", timeZone: "Africa/Addis_Ababa", parameters: params))
        #expect(r.encoding == .ucs2)
        #expect(r.text == r.rawText)
        #expect(r.replacements.isEmpty)
        #expect(visible(r.text).contains("DT<U+00A0>1,234.500"))
    }

    @Test func whatThePolicyDidSurvivesJSON() throws {
        var params = invoice
        params["firstName"] = "አበበ"
        for (locale, parameters) in [("fr", invoice), ("am", params)] {
            let r = try shippedRenderer.render(
                RenderRequest(template: "invoice.created", locale: locale, timeZone: "Africa/Tunis", parameters: parameters, at: 0))
            let decoded = try JSONDecoder().decode(RenderedMessage.self, from: try JSONEncoder().encode(r))
            #expect(decoded == r)
            #expect(decoded.replacements == r.replacements)
            #expect(decoded.rawCount == r.rawCount)
            #expect(decoded.forcingUCS2 == r.forcingUCS2)
            #expect(decoded.expiresAt == r.expiresAt)
            if locale == "fr" {
                #expect(decoded.replacements.map(\.codePoint) == ["U+202F", "U+00A0"])
            } else {
                #expect(decoded.forcingUCS2.first == "ሰ" && decoded.forcingUCS2.count == GSMKeeper.namedLimit)
            }
        }
    }
}
