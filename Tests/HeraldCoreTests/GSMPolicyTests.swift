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
}
