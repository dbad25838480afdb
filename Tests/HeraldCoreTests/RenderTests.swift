import Foundation
import HeraldICU
import Testing
@testable import HeraldCore

/// One golden case: a seed template in a locale and time zone with realistic values.
struct GoldenCase: Sendable, CustomStringConvertible {
    var template: String
    var locale: String
    var timeZone: String
    var params: [String: String]
    var description: String { "\(template) \(locale) \(timeZone) \(params.sorted { $0.key < $1.key })" }
}

let goldenCases: [GoldenCase] = {
    var cases: [GoldenCase] = []
    for locale in ["fr", "en", "am"] {
        let eth = "Africa/Addis_Ababa", tun = "Africa/Tunis"
        let person = locale == "am" ? "አበበ" : (locale == "fr" ? "Amine" : "Sarah")
        cases.append(GoldenCase(template: "case.assigned", locale: locale, timeZone: eth,
                                params: ["caseNumber": "CASE-001", "title": "Printer on 3rd floor {broken} – it's jammed"]))
        for count in ["0", "1", "2", "21"] {
            cases.append(GoldenCase(template: "case.response_added", locale: locale, timeZone: eth,
                                    params: ["caseNumber": "CASE-001", "responseCount": count]))
        }
        cases.append(GoldenCase(template: "case.escalated", locale: locale, timeZone: eth, params: ["caseNumber": "CASE-002"]))
        cases.append(GoldenCase(template: "case.resolved", locale: locale, timeZone: eth, params: ["caseNumber": "CASE-003"]))
        cases.append(GoldenCase(template: "service.completed", locale: locale, timeZone: tun,
                                params: ["firstName": person, "carMake": "Peugeot", "carModel": "208"]))
        for total in ["45", "1234.5", "99999.999"] {
            cases.append(GoldenCase(template: "invoice.created", locale: locale, timeZone: tun,
                                    params: ["firstName": person, "invoiceNumber": "F-2026-0042", "total": total,
                                             "carMake": "Renault", "carModel": "Clio"]))
        }
        for timeZone in [tun, eth] {
            cases.append(GoldenCase(template: "appointment.reminder", locale: locale, timeZone: timeZone,
                                    params: ["firstName": person, "carMake": "Toyota", "carModel": "Corolla",
                                             "when": "2026-03-12T07:30:00Z"]))
        }
    }
    return cases
}()

@Suite struct RenderTests {
    /// Every seed template in fr, en and am against golden output from ICU 72.1.
    /// `HERALD_UPDATE_GOLDEN=1 swift test` rewrites the file after a deliberate change; review its diff.
    @Test func goldenOutputForEverySeedTemplate() throws {
        var out = ""
        for c in goldenCases {
            let r = try shippedRenderer.render(
                RenderRequest(template: c.template, locale: c.locale, timeZone: c.timeZone, parameters: c.params))
            out += "== \(c.template) \(c.locale) \(c.timeZone) \(c.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))\n"
            out += "raw:  \(visible(r.rawText))\n"
            out += "sent: \(visible(r.text))\n"
            out += "cost: \(r.encoding.rawValue) \(r.units) units \(r.segments) segments (raw \(r.rawCount.encoding.rawValue) \(r.rawCount.segments))\n"
        }
        let url = packageRoot.appendingPathComponent("Tests/HeraldCoreTests/Fixtures/golden/render.txt")
        if ProcessInfo.processInfo.environment["HERALD_UPDATE_GOLDEN"] == "1" {
            try out.write(to: url, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        let expected = golden.components(separatedBy: "\n== ")
        let actual = out.components(separatedBy: "\n== ")
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(a == e) }
    }

    // Facts measured on ICU 72.1 (shared/LOCALE-FACTS.md), checked directly and not through the golden file.
    @Test(arguments: [
        ("fr", "1<U+202F>234,500<U+00A0>DT"), ("en", "DT<U+00A0>1,234.500"), ("am", "DT<U+00A0>1,234.500"),
        ("fr-TN", "1<U+202F>234,500<U+00A0>DT"),
    ])
    func tunisianDinarIsDTInEveryLocale(locale: String, expected: String) throws {
        let m = try CompiledMessage(pattern: "{t, number, ::currency/TND}", locale: ICU.localeID(forTag: locale)!,
                                    timeZone: "Africa/Tunis", arguments: [("t", .decimal)], currencySymbols: ["TND": "DT"])
        #expect(visible(try m.format([.decimal("1234.5")])) == expected)
        let plain = try CompiledMessage(pattern: "{t, number, ::currency/TND}", locale: "en", timeZone: "UTC",
                                        arguments: [("t", .decimal)])
        #expect(visible(try plain.format([.decimal("1234.5")])) == "TND<U+00A0>1,234.500")
    }

    @Test func amharicDatesFollowICU72() throws {
        let when = ArgumentValue.date(epochMilliseconds: 1_773_300_600_000)  // 2026-03-12T07:30Z
        let m = try CompiledMessage(
            pattern: "{w, date, ::EEEEdMMMM}|{w, time, short}|{w, date, long}|{w, date, short}", locale: "am",
            timeZone: "Africa/Addis_Ababa", arguments: [("w", .date)])
        #expect(try m.format([when]) == "ሐሙስ፣ ማርች 12|10:30 ጥዋት|12 ማርች 2026|12/03/2026")
    }

    @Test func ethiopianCalendarWhenTheLocaleSaysSo() throws {
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": simpleTemplate],
            locales: ["en.yaml": "locale: en\nmessages:\n  greet: 'Hi {name} {when, date, ::yMMMMd} {n}'\n",
                      "am.yaml": "locale: am\nfallback: en\ncalendar: ethiopic\nmessages:\n  greet: '{name} {when, date, ::yMMMMd} {when, time, short} {n}'\n"]
        ).load()
        #expect(catalog.diagnostics.isEmpty)
        let r = try Renderer(catalog: catalog).render(RenderRequest(
            template: "greet", locale: "am-ET", timeZone: "Africa/Addis_Ababa",
            parameters: ["name": "ሀ", "when": "2026-03-12T10:30", "n": "2018"]))
        #expect(r.text == "ሀ 3 መጋቢት 2018 10:30 ጥዋት 2,018")
        #expect(r.formattingLocale == "am_ET@calendar=ethiopic")
    }

    @Test func datesInsidePluralAndSelectUseTheRecipientsTimeZone() throws {
        let m = try CompiledMessage(
            pattern: "{n, plural, one {one at {w, time, ::HHmm}} other {# at {w, time, ::HHmm}}} / {w, time, ::HHmm}",
            locale: "fr", timeZone: "Africa/Tunis", arguments: [("n", .integer), ("w", .date)])
        #expect(try m.format([.integer(1), .date(epochMilliseconds: 1_773_300_600_000)]) == "one at 08:30 / 08:30")
        #expect(try m.format([.integer(3), .date(epochMilliseconds: 1_773_300_600_000)]) == "3 at 08:30 / 08:30")
    }

    @Test(arguments: [
        ("fr", 0.0, "one"), ("fr", 1.5, "one"), ("fr", 2, "other"), ("fr", 1_000_000, "many"),
        ("en", 1, "one"), ("en", 0, "other"), ("am", 0, "one"), ("am", 1, "one"), ("am", 2, "other"),
    ])
    func pluralCategoriesFollowCLDR42(locale: String, number: Double, category: String) {
        #expect(ICU.pluralCategory(number, locale: locale) == category)
    }

    @Test func frenchPluralsIncludingMany() throws {
        let m = try CompiledMessage(
            pattern: "{n, plural, =1 {une} one {# un} many {# beaucoup} other {# autres}}", locale: "fr",
            timeZone: "UTC", arguments: [("n", .integer)])
        #expect(try m.format([.integer(0)]) == "0 un")
        #expect(try m.format([.integer(1)]) == "une")
        #expect(visible(try m.format([.integer(1_000_000)])) == "1<U+202F>000<U+202F>000 beaucoup")
        #expect(try m.format([.integer(21)]) == "21 autres")
    }

    @Test func parameterValuesAreNeverParsedAsMessageFormat() throws {
        let r = try shippedRenderer.render(RenderRequest(
            template: "case.assigned", locale: "en", timeZone: "UTC",
            parameters: ["caseNumber": "{caseNumber}", "title": "It's '{x}' #1 {y, plural, other {z}}"]))
        #expect(r.text.contains("Case #{caseNumber} has been assigned"))
        #expect(r.text.contains("Title: It's '{x}' #1 {y, plural, other {z}}."))
    }

    @Test func localeFallsBackThroughItsChain() throws {
        let r = try shippedRenderer.render(RenderRequest(
            template: "case.resolved", locale: "am-ET", timeZone: "Africa/Addis_Ababa", parameters: ["caseNumber": "C-1"]))
        #expect(r.messageLocale == "am")
        #expect(r.formattingLocale == "am_ET")
        #expect(r.fellBackFrom.isEmpty)
        let de = try shippedRenderer.render(RenderRequest(
            template: "case.resolved", locale: "de", timeZone: "Europe/Berlin", parameters: ["caseNumber": "C-1"]))
        #expect(de.messageLocale == "en")
        #expect(de.fellBackFrom == ["de"])
        #expect(de.text == "Your case #C-1 has been resolved. Thank you for using MINTT CRM.")
    }

    @Test func theRecipientsTimeZoneNotTheServers() throws {
        var params = ["firstName": "Amine", "carMake": "Kia", "carModel": "Rio", "when": "2026-07-01T21:30:00Z"]
        let tunis = try shippedRenderer.render(RenderRequest(template: "appointment.reminder", locale: "fr", timeZone: "Africa/Tunis", parameters: params))
        #expect(tunis.text.contains("le mercredi 1 juillet à 22:30"))
        let addis = try shippedRenderer.render(RenderRequest(template: "appointment.reminder", locale: "fr", timeZone: "Africa/Addis_Ababa", parameters: params))
        #expect(addis.text.contains("le jeudi 2 juillet à 00:30"))
        // A local time without offset is read in the recipient's zone.
        params["when"] = "2026-03-29T02:30"  // does not exist in Paris (DST): ICU moves it forward
        let paris = try shippedRenderer.render(RenderRequest(template: "appointment.reminder", locale: "fr", timeZone: "Europe/Paris", parameters: params))
        #expect(paris.text.contains("le dimanche 29 mars à 03:30"))
    }

    @Test func compiledFormattersAreCachedAndSafeAcrossTasks() async throws {
        let renderer = Renderer(catalog: shippedCatalog)
        let expected = try goldenCases.map { c in
            try renderer.render(RenderRequest(template: c.template, locale: c.locale, timeZone: c.timeZone, parameters: c.params)).text
        }
        let formatters = renderer.cachedFormatters
        #expect(formatters == Set(goldenCases.map { "\($0.template)|\($0.locale)|\($0.timeZone)" }).count)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for (c, text) in zip(goldenCases, expected) {
                        let r = try renderer.render(RenderRequest(template: c.template, locale: c.locale, timeZone: c.timeZone, parameters: c.params))
                        if r.text != text { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
        #expect(renderer.cachedFormatters == formatters)
    }

    @Test func expiryComesFromTheTemplatesTimeToLive() throws {
        let r = try shippedRenderer.render(RenderRequest(
            template: "case.resolved", locale: "en", timeZone: "UTC", parameters: ["caseNumber": "1"],
            at: ParameterValue.epochMilliseconds("2026-12-31T23:00:00Z", timeZone: "UTC")))
        #expect(r.expiresAt == "2027-01-03T23:00:00Z")  // ttl 72h
    }

    @Test func longValuesAreCutToTheirMaximumAndReported() throws {
        let r = try shippedRenderer.render(RenderRequest(
            template: "case.assigned", locale: "en", timeZone: "UTC",
            parameters: ["caseNumber": "1", "title": String(repeating: "t", count: 80)]))
        #expect(r.text.contains("Title: " + String(repeating: "t", count: 57) + "...."))
        #expect(r.warnings == ["parameter 'title' was cut to its maximum of 60 characters"])
    }
}

@Suite struct RenderErrorTests {
    func render(_ template: String, locale: String = "en", tz: String = "UTC", _ params: [String: String]) -> RenderError? {
        do {
            _ = try shippedRenderer.render(RenderRequest(template: template, locale: locale, timeZone: tz, parameters: params))
            return nil
        } catch { return error }
    }

    @Test func unknownTemplateSuggestsTheNearestId() {
        let e = render("case.asigned", ["caseNumber": "1"])
        #expect(e?.code == .unknownTemplate)
        #expect(e?.message == "unknown template 'case.asigned' (did you mean 'case.assigned'?)")
    }

    @Test func missingUnknownAndIllTypedParameters() {
        #expect(render("case.assigned", ["caseNumber": "1"])?.message == "template 'case.assigned' needs parameter 'title' (string)")
        let unknown = render("case.resolved", ["caseNumber": "1", "titel": "x"])
        #expect(unknown?.code == .unknownParameter)
        #expect(unknown?.parameter == "titel")
        let badMoney = render("invoice.created", ["firstName": "A", "invoiceNumber": "1", "total": "12,5", "carMake": "a", "carModel": "b"])
        #expect(badMoney?.code == .invalidParameter)
        #expect(badMoney?.parameter == "total")
        let badDate = render("appointment.reminder", ["firstName": "A", "carMake": "a", "carModel": "b", "when": "2026-02-30T10:00"])
        #expect(badDate?.code == .invalidParameter)
        #expect(badDate?.message.contains("'when'") == true)
        #expect(render("case.response_added", ["caseNumber": "1", "responseCount": "two"])?.code == .invalidParameter)
    }

    @Test func badLocaleAndTimeZone() {
        #expect(render("case.resolved", locale: "fr!!", ["caseNumber": "1"])?.code == .invalidLocale)
        #expect(render("case.resolved", locale: "", ["caseNumber": "1"])?.code == .invalidLocale)
        #expect(render("case.resolved", tz: "Mars/Olympus", ["caseNumber": "1"])?.code == .invalidTimeZone)
        #expect(render("case.resolved", tz: "", ["caseNumber": "1"])?.code == .invalidTimeZone)
    }

    @Test func malformedMessageFormatNamesFileAndLine() throws {
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": simpleTemplate],
            locales: ["en.yaml": "locale: en\nmessages:\n  greet: >-\n    Hello {name},\n    it is {when, date, ::yMMMd} {n, plural, one {x}\n"]
        ).load()
        do {
            _ = try Renderer(catalog: catalog).render(RenderRequest(template: "greet", locale: "en", timeZone: "UTC",
                                                                    parameters: ["name": "a", "when": "0", "n": "1"]))
            Issue.record("rendered a malformed message")
        } catch {
            #expect(error.code == .messageFormat)
            #expect(error.message.contains("en.yaml:5"))
        }
    }
}
