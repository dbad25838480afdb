import Testing
@testable import HeraldCore

@Suite struct CheckTests {
    @Test func theShippedCatalogPasses() {
        let report = shippedCatalog.check()
        #expect(report.errors == 0, "\(report.diagnostics)")
        #expect(report.templates == 7)
        #expect(report.locales == ["am", "en", "fr"])
        #expect(report.costs.count == 21)
        for cost in report.costs { #expect(cost.segments <= cost.budget) }
        // Amharic is UCS-2 whatever the values; the French invoice stays GSM-7 thanks to the policy.
        #expect(report.costs.filter { $0.locale == "am" }.allSatisfy { $0.encoding == .ucs2 })
        #expect(report.costs.first { $0.template == "invoice.created" && $0.locale == "fr" }?.encoding == .gsm7)
    }

    func diagnostics(template: String = simpleTemplate, en: String, extra: [String: String] = [:]) throws -> [Diagnostic] {
        var locales = ["en.yaml": en]
        for (k, v) in extra { locales[k] = v }
        return try TemporaryCatalog(templates: ["greet.yaml": template], locales: locales).load().check().diagnostics
    }

    @Test func messageSyntaxErrorsPointAtTheLine() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: >-\n    Hello {name}\n    at {when, time, short {n}\n")
        let error = try #require(d.first { $0.severity == .error })
        #expect(error.line == 5 && error.column == 8)
        #expect(error.field == "messages.greet")
        #expect(error.file.hasSuffix("Locales/en.yaml"))
        #expect(error.description.contains("en.yaml:5:8: error: messages.greet: MessageFormat syntax: a '{' is never closed at \"{when, time, short {n}\""))
    }

    @Test func undeclaredAndUnusedParameters() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: 'Hello {nme} {when, date} {n}'\n")
        let error = try #require(d.first { $0.severity == .error })
        #expect(error.message == "unknown parameter 'nme' (declared: name, when, n)")
        #expect(error.line == 3)
        let unused = try diagnostics(en: "locale: en\nmessages:\n  greet: 'Hello {when, date} {n}'\n")
        #expect(unused.contains { $0.severity == .warning && $0.message.contains("parameter 'name' is declared") })
        #expect(!unused.contains { $0.severity == .error })
    }

    @Test func argumentsFormattedAgainstTheirType() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: '{name, number} {when, date} {n}'\n")
        #expect(d.contains { $0.severity == .error && $0.message == "parameter 'name' is a string but is formatted as number (which needs a number)" })
        let noOther = try diagnostics(en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n, plural, one {x}}'\n")
        #expect(noOther.contains { $0.severity == .error && $0.message.contains("a plural or select has no 'other' variant") })
    }

    @Test func unknownSettingsAndBadValuesInTemplates() throws {
        let bad = simpleTemplate.replacingOccurrences(of: "segmentBudget: 1", with: "segmentBuget: 1\npriority: high")
        let d = try diagnostics(template: bad, en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n}'\n")
        #expect(d.contains { $0.line == 5 && $0.message.contains("unknown setting 'segmentBuget' (did you mean 'segmentBudget'?)") })
        #expect(d.contains { $0.line == 6 && $0.field == "priority" && $0.message.contains("'high' is not one of: normal, urgent") })
        // A typo alone is one error, the cause: not also "segmentBudget missing", nor the messages reported as
        // belonging to no template.
        let typo = simpleTemplate.replacingOccurrences(of: "segmentBudget: 1", with: "segmentBuget: 1")
        let one = try diagnostics(template: typo, en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n}'\n")
        #expect(one.filter { $0.severity == .error }.count == 1, "\(one)")
        #expect(one.first?.message.contains("did you mean 'segmentBudget'?") == true)
        let badType = simpleTemplate.replacingOccurrences(of: "type: integer", with: "type: int")
        let t = try diagnostics(template: badType, en: "locale: en\nmessages:\n  greet: 'x'\n")
        #expect(t.contains { $0.field == "params.n.type" && $0.line == 10 && $0.message.contains("(did you mean 'integer'?)") })
    }

    @Test func yamlSyntaxErrorsHaveALine() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: 'unterminated\n  other: x\n")
        #expect(d.contains { $0.severity == .error && $0.line != nil && $0.message.hasPrefix("YAML syntax") })
    }

    @Test func missingTranslationsFallBackWithAWarning() throws {
        let d = try diagnostics(
            en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n}'\n",
            extra: ["fr.yaml": "locale: fr\nfallback: en\nmessages: {}\n", "xx.yaml": "locale: xx\nfallback: zz\nmessages:\n  gret: 'x'\n"])
        #expect(d.contains { $0.severity == .warning && $0.file.hasSuffix("fr.yaml") && $0.message == "missing; fr recipients get the en message" })
        #expect(d.contains { $0.severity == .error && $0.file.hasSuffix("xx.yaml") && $0.message == "no locale file for 'zz'" })
        #expect(d.contains { $0.severity == .error && $0.message == "no template 'gret' in Templates/ (did you mean 'greet'?)" })
    }

    @Test func worstCaseOverBudgetIsAnError() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: '\(String(repeating: "long text ", count: 14)){name} {when, date, full} {n}'\n")
        let error = try #require(d.first { $0.severity == .error })
        #expect(error.message.hasPrefix("worst case is 2 segments"))
        #expect(error.message.hasSuffix("over the template's budget of 1"))
    }

    /// The French apostrophe: ICU quotes what follows `'{`, and prints it. An error at the apostrophe, with the fix.
    @Test func anApostropheThatSwallowsAnArgumentIsAnError() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: >-\n    Bonjour {name}, un total\n    d'{n, number} le {when, date}.\n")
        let error = try #require(d.first { $0.severity == .error })
        #expect(error.line == 5)
        #expect(error.column == 6)
        #expect(error.message.contains("makes ICU print the rest of the message as text: '{n, number} le {when, date}.'"))
        #expect(error.message.contains("write ’ (U+2019"))
        #expect(error.description.contains("Locales/en.yaml:5:6: error: messages.greet:"))

        let quoted = try diagnostics(en: "locale: en\nmessages:\n  greet: \"Bonjour '{name}' {n} {when, date}\"\n")
        let closed = try #require(quoted.first { $0.severity == .error })
        #expect(closed.line == 3 && closed.column == 19)
        #expect(closed.message.contains("what follows, up to the next apostrophe, as text: '{name}'"))

        // '' and an apostrophe before a letter are apostrophes: no error.
        let fine = try diagnostics(en: "locale: en\nmessages:\n  greet: \"l''{name} d'un {n} {when, date}\"\n")
        #expect(!fine.contains { $0.severity == .error }, "\(fine)")
    }

    /// Currency mistakes ship wrong amounts (`249,90 TDN`, `249,900 TND`, `249,9 DT`): each is an error with the fix.
    @Test(arguments: [
        ("{total, number, ::currency/TDN}", "'TDN' is not an ISO 4217 currency code (did you mean TND?"),
        ("{total, number, ::currency/tnd}", "'tnd' in lower case is read as another currency by ICU: write ::currency/TND"),
        ("{total, number, ::currency/EUR}", "the template's money is in TND, not EUR"),
        ("{total} DT", "'total' is money in TND but is not formatted as money: write {total, number, ::currency/TND}"),
        ("{total, number} DT", "'total' is money in TND but is not formatted as money"),
    ])
    func currencyMistakesAreErrors(message: String, expected: String) throws {
        let template = simpleTemplate.replacingOccurrences(of: "n: { type: integer }", with: "n: { type: integer }\n  total: { type: money, currency: TND, max: 9999.999 }")
        let d = try diagnostics(template: template, en: "locale: en\nmessages:\n  greet: 'Hello {name} {when, date} {n}: \(message)'\n")
        #expect(d.contains { $0.severity == .error && $0.message.contains(expected) }, "\(d)")
        #expect(d.first { $0.message.contains(expected) }?.line == 3)
    }

    @Test func aTemplatesCurrencyMustBeKnown() throws {
        let template = simpleTemplate.replacingOccurrences(of: "n: { type: integer }", with: "n: { type: integer }\n  total: { type: money, currency: tnd }")
        let d = try diagnostics(template: template, en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n} {total, number, ::currency/TND}'\n")
        #expect(d.contains { $0.severity == .error && $0.message.contains("'tnd' is not an ISO 4217 currency code (write TND)") }, "\(d)")
        let fine = try diagnostics(
            template: simpleTemplate.replacingOccurrences(of: "n: { type: integer }", with: "n: { type: integer }\n  total: { type: money, currency: TND }"),
            en: "locale: en\nmessages:\n  greet: '{name} {when, date} {n} {total, number, ::currency/TND}'\n")
        #expect(!fine.contains { $0.severity == .error }, "\(fine)")
    }

    /// A value past its declared max is refused at render (its worst case was counted at that max).
    @Test func aValueOverItsMaxIsRefusedAtRender() throws {
        let params = ["firstName": "Amine", "invoiceNumber": "F-1", "carMake": "Peugeot", "carModel": "208"]
        #expect(throws: RenderError.self) {
            try shippedRenderer.render(RenderRequest(
                template: "invoice.created", locale: "en", timeZone: "Africa/Tunis", parameters: params.merging(["total": "12000000"]) { $1 }))
        }
        do {
            _ = try shippedRenderer.render(RenderRequest(
                template: "invoice.created", locale: "en", timeZone: "Africa/Tunis", parameters: params.merging(["total": "12000000"]) { $1 }))
        } catch {
            #expect(error.message.contains("'12000000' is over its maximum of 99999.999"), "\(error.message)")
        }
        let ok = try shippedRenderer.render(RenderRequest(
            template: "invoice.created", locale: "en", timeZone: "Africa/Tunis", parameters: params.merging(["total": "99999.999"]) { $1 }))
        #expect(ok.text.contains("99,999.999"))
    }

    /// ICU reports a missing `other` at offset 0; Herald points at the plural that lacks it.
    @Test func aMissingOtherIsReportedAtItsPlural() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: >-\n    Hello {name} at {when, date},\n    you have {n, plural, one {# case}}.\n")
        let error = try #require(d.first { $0.severity == .error })
        #expect(error.line == 5, "\(error)")
        #expect(error.message.contains("has no 'other' variant at \"{n, plural, one {# case}"), "\(error.message)")
    }

    /// An indentation slip in a folded message puts a line break into the SMS: a warning at the line that slipped.
    @Test func aLineBreakFromAnIndentationSlipIsAWarning() throws {
        let d = try diagnostics(en: "locale: en\nmessages:\n  greet: >-\n    Hello {name}\n      at {when, date}\n    {n}\n")
        let warning = try #require(d.first { $0.severity == .warning && $0.message.contains("line break") }, "\(d)")
        #expect(warning.line == 5)
        let literal = try diagnostics(en: "locale: en\nmessages:\n  greet: |-\n    Hello {name}\n    at {when, date} {n}\n")
        #expect(!literal.contains { $0.message.contains("line break") })
    }

    /// A NUL would cut the SMS short and BEL or ESC would reach the phone: a parameter with a control character is
    /// refused, with the character named; tab and line breaks are text.
    @Test(arguments: ["a\u{0}b", "ring\u{7}", "esc\u{1B}[31m", "del\u{7F}"])
    func controlCharactersInAParameterAreRefused(title: String) throws {
        do {
            _ = try shippedRenderer.render(RenderRequest(
                template: "case.assigned", locale: "en", timeZone: "UTC", parameters: ["caseNumber": "C-1", "title": title]))
            Issue.record("rendered \(title.debugDescription)")
        } catch {
            #expect(error.message.contains("contains the control character U+00"), "\(error.message)")
            #expect(error.parameter == "title")
        }
        let fine = try shippedRenderer.render(RenderRequest(
            template: "case.assigned", locale: "en", timeZone: "UTC", parameters: ["caseNumber": "C-1", "title": "a\tb"]))
        #expect(fine.text.contains("a\tb") || fine.text.contains("a b"))
    }
}
