import HeraldICU
import Testing
@testable import HeraldCore

/// Herald's compiled messages against ICU's own icu::MessageFormat, for every shipped template and
/// locale over many generated values: dates across years and zones, amounts from 0 to millions,
/// counts in every plural category.
@Suite struct DifferentialTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ list: [T]) -> T { list[Int(next() % UInt64(list.count))] }
    }

    @Test func byteIdenticalToICUMessageFormat() throws {
        var g = Generator(state: 20_261_123)
        let zones = ["Africa/Tunis", "Africa/Addis_Ababa", "Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"]
        // Counts below and above the compiled plan's table of small numbers, and every plural category.
        let counts: [Int64] = Array(0...130) + [200, 1000, 1001, 1_000_000, 2_000_000, 12_345_678, -1]
        // Amounts: whole, 1-3 decimals, trailing zeros, beyond 15 significant digits (passed as exact decimals).
        let amounts = ["0", "1", "45", "1234.5", "999999.999", "1000000", "0.001", "1.50", "2.0", "7.125", "-3.25",
                       "12345678901234567.891", "100000000000000000000"]
        var compared = 0
        for template in shippedCatalog.sortedTemplates {
            for file in shippedCatalog.sortedLocales {
                guard let text = file.messages[template.id]?.text else { continue }
                let locale = file.formattingLocale(for: nil)
                for zone in zones {
                    let compiled = try CompiledMessage(
                        pattern: text, locale: locale, timeZone: zone,
                        arguments: template.parameters.map { ($0.name, ParameterValue.kind(of: $0)) },
                        currencySymbols: file.currencySymbols)
                    for _ in 0..<120 {
                        let values: [ArgumentValue] = template.parameters.map { p in
                            switch p.kind {
                            case .string, .enum: .string(g.pick(["Amine", "አበበ", "CASE-001", "x'y", "Zoë"]))
                            case .integer: .integer(g.pick(counts))
                            case .decimal, .money:
                                g.next() % 2 == 0 ? .decimal(g.pick(amounts))
                                    : .decimal("\(g.next() % 10_000_000).\(g.next() % 1000)")
                            case .datetime:
                                // 1990 to 2060, any minute: both sides of DST changes included.
                                .date(epochMilliseconds: Double(631_152_000 + Int64(g.next() % 2_209_000_000)) * 1000)
                            }
                        }
                        let ours = try compiled.format(values)
                        let reference = try CompiledMessage.referenceFormat(
                            pattern: text, locale: locale, timeZone: zone,
                            arguments: Array(zip(template.parameters.map(\.name), values)),
                            currencySymbols: file.currencySymbols)
                        #expect(ours == reference, "\(template.id) \(file.id) \(zone) \(values)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 7 * 3 * 6 * 120)
    }

    /// The shared benchmark's templates (fr, en, am; DT; dates in the recipient's zone; plurals), over generated
    /// values: the text `herald bench render` times is ICU's own.
    @Test func benchmarkTemplatesMatchICU() throws {
        var g = Generator(state: 7)
        let templates: [(pattern: String, arguments: [(String, ArgumentKind)])] = [
            ("Bonjour {firstName}, une nouvelle facture ({invoiceNumber}) de {total, number, ::currency/TND} pour votre {carMake} {carModel} a été émise.",
             [("firstName", .string), ("invoiceNumber", .string), ("total", .decimal), ("carMake", .string), ("carModel", .string)]),
            ("Hello {firstName}, this is a reminder of your appointment for your {carMake} {carModel} on {when, date, ::EEEEdMMMM} at {when, time, short}.",
             [("firstName", .string), ("carMake", .string), ("carModel", .string), ("when", .date)]),
            ("{count, plural, one {# አዲስ ምላሽ} other {# አዲስ ምላሾች}} በጉዳይ {caseNumber} ላይ።", [("count", .integer), ("caseNumber", .string)]),
            ("{count, plural, offset:1 =0 {none} =1 {one: {caseNumber}} one {# other} other {# others, {count, number, ::.00}}}",
             [("count", .integer), ("caseNumber", .string)]),
        ]
        var compared = 0
        for (pattern, arguments) in templates {
            for locale in ["fr", "en", "am", "am_ET@calendar=ethiopic"] {
                for zone in ["Africa/Tunis", "Africa/Addis_Ababa", "America/New_York"] {
                    let compiled = try CompiledMessage(
                        pattern: pattern, locale: locale, timeZone: zone, arguments: arguments, currencySymbols: ["TND": "DT"])
                    for _ in 0..<200 {
                        let values: [ArgumentValue] = arguments.map { _, kind in
                            switch kind {
                            case .integer: .integer(Int64(g.next() % 3 == 0 ? g.next() % 2_000_000 : g.next() % 140))
                            case .decimal: .decimal("\(g.next() % 100_000).\(g.next() % 1000)")
                            case .date: .date(epochMilliseconds: Double(631_152_000 + Int64(g.next() % 2_209_000_000)) * 1000)
                            default: .string(g.pick(["Nour", "Sélim", "አበበ", "Škoda", "F-2026-705292"]))
                            }
                        }
                        let reference = try CompiledMessage.referenceFormat(
                            pattern: pattern, locale: locale, timeZone: zone,
                            arguments: Array(zip(arguments.map(\.0), values)), currencySymbols: ["TND": "DT"])
                        #expect(try compiled.format(values) == reference, "\(locale) \(zone) \(values)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 4 * 4 * 3 * 200)
    }

    /// Plural forms chosen from a number as another formatter shows it: ICU decides `{n, number, integer}` (a
    /// DecimalFormat) from its shown digits, and a skeleton from the bare number.
    @Test func pluralSelectionFollowsTheNumberFormatInTheOtherVariant() throws {
        let patterns = [
            "{n, plural, one {{n, number, ::.00} item} other {{n, number, ::.00} items}}",
            "{n, plural, one {{n, number, integer} item} other {{n, number, integer} items}}",
            "{n, plural, one {# item} other {# items}}",
            "{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}",
        ]
        for pattern in patterns {
            for locale in ["en", "fr", "am"] {
                let m = try CompiledMessage(pattern: pattern, locale: locale, timeZone: "UTC", arguments: [("n", .decimal)])
                for n in ["0", "1", "1.0", "1.5", "1.50", "0.5", "2", "2.25", "1000000", "1.001", "21", "22", "23", "101"] {
                    let reference = try CompiledMessage.referenceFormat(
                        pattern: pattern, locale: locale, timeZone: "UTC", arguments: [("n", .decimal(n))])
                    #expect(try m.format([.decimal(n)]) == reference, "\(pattern) \(locale) \(n)")
                }
            }
        }
    }

    @Test func pluralAndSelectEdgeCasesMatchICU() throws {
        let pattern = "{n, plural, offset:1 =0 {none} =1 {just {who}} one {{who} and # other} other {{who} and # others}} {n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}} {g, select, f {elle} m {il} other {iel}} {n} {d, number, ::percent}"
        for locale in ["en", "fr", "am"] {
            let m = try CompiledMessage(pattern: pattern, locale: locale, timeZone: "UTC",
                                        arguments: [("n", .integer), ("who", .string), ("g", .string), ("d", .decimal)])
            for n: Int64 in [0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 1_000_000] {
                for gender in ["f", "m", "x"] {
                    let values: [ArgumentValue] = [.integer(n), .string("Sam"), .string(gender), .decimal("0.256")]
                    let reference = try CompiledMessage.referenceFormat(
                        pattern: pattern, locale: locale, timeZone: "UTC",
                        arguments: Array(zip(["n", "who", "g", "d"], values)))
                    #expect(try m.format(values) == reference, "\(locale) \(n) \(gender)")
                }
            }
        }
    }

    /// The corners where a reimplementation drifts from ICU: a `#` before a nested number in the `other` variant
    /// (ICU then selects with its default number format), a zone id printed as given (`VV`), argument types in any
    /// case, and argument names in any script.
    @Test(arguments: [
        ("{n, plural, one {one} other {# ({n, number, integer})}}", "n", ArgumentKind.decimal),
        ("{n, plural, one {one {n, number, integer}} other {{n, number, integer} then #}}", "n", .decimal),
        ("{n, plural, one {# x} other {{n, number, ::.00} and # y}}", "n", .decimal),
        ("{n, plural, other {{n, NUMBER, integer} items}}", "n", .decimal),
        ("{n, Plural, one {one} other {{n, Number} others}}", "n", .decimal),
        ("Bonjour {prénom}, {prénom, select, other {ok}}", "prénom", .string),
        ("{_x_} and {ስም}", "_x_", .string),
    ])
    func icuCornersRenderAsICUDoes(pattern: String, name: String, kind: ArgumentKind) throws {
        var names = [name]
        if pattern.contains("{ስም}") { names.append("ስም") }
        for locale in ["en", "fr", "am"] {
            let m = try CompiledMessage(
                pattern: pattern, locale: locale, timeZone: "UTC", arguments: names.map { ($0, kind) })
            let values: [[ArgumentValue]] = kind == .string
                ? [names.map { _ in .string("Zoë") }]
                : ["0", "1", "1.4", "1.5", "2", "2.5", "1000.25", "21"].map { [.decimal($0)] }
            for value in values {
                let reference = try CompiledMessage.referenceFormat(
                    pattern: pattern, locale: locale, timeZone: "UTC", arguments: Array(zip(names, value)))
                #expect(try m.format(value) == reference, "\(pattern) \(locale) \(value)")
            }
        }
    }

    /// The case the corner is about, spelled out: ICU chooses `other` for 1.4 in English, `one` for 1.5 in French.
    @Test func aPoundBeforeANestedNumberSelectsWithTheDefaultFormat() throws {
        let pattern = "{n, plural, one {one} other {# ({n, number, integer})}}"
        let en = try CompiledMessage(pattern: pattern, locale: "en", timeZone: "UTC", arguments: [("n", .decimal)])
        #expect(try en.format([.decimal("1.4")]) == "1.4 (1)")
        let fr = try CompiledMessage(pattern: pattern, locale: "fr", timeZone: "UTC", arguments: [("n", .decimal)])
        #expect(try fr.format([.decimal("1.5")]) == "one")
    }

    /// Dates and times with types in any case, and zone ids printed as they were given (ICU does not canonicalize).
    @Test(arguments: [
        ("{d, time, VV}", "Asia/Kolkata"), ("{d, time, VV}", "UTC"), ("{d, time, VV} {d, time, z}", "Asia/Calcutta"),
        ("{d,TIME}", "Africa/Tunis"), ("{d, Date, short}", "Africa/Addis_Ababa"), ("{d, date, FULL}", "Europe/Paris"),
    ])
    func datesMatchICU(pattern: String, zone: String) throws {
        for locale in ["en", "fr", "am"] {
            let m = try CompiledMessage(pattern: pattern, locale: locale, timeZone: zone, arguments: [("d", .date)])
            let value = ArgumentValue.date(epochMilliseconds: 1_795_000_000_000)
            let reference = try CompiledMessage.referenceFormat(
                pattern: pattern, locale: locale, timeZone: zone, arguments: [("d", value)])
            #expect(try m.format([value]) == reference, "\(pattern) \(locale) \(zone)")
        }
    }

    /// Through the renderer too: the zone id reaches ICU as the caller wrote it.
    @Test func theRendererPrintsTheZoneAsGiven() throws {
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": simpleTemplate],
            locales: ["en.yaml": "locale: en\nmessages:\n  greet: '{when, time, VV}{name, select, other {}}{n, plural, other {}}'\n"])
        let renderer = Renderer(catalog: catalog.load())
        for zone in ["Asia/Kolkata", "UTC"] {
            let r = try renderer.render(RenderRequest(
                template: "greet", locale: "en", timeZone: zone,
                parameters: ["when": "2026-11-23T10:00:00Z", "name": "x", "n": "1"]))
            #expect(r.text.trimmingCharacters(in: .whitespaces) == zone)
        }
    }

    /// ICU renders an empty message as it is; Herald refuses it at load (an empty SMS is a mistake) and says so
    /// where it is asked for, with the file and line, not "no message".
    @Test func anEmptyMessageIsNamedWhereItIs() throws {
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": simpleTemplate], locales: ["en.yaml": "locale: en\nmessages:\n  greet: '  '\n"])
        let renderer = Renderer(catalog: catalog.load())
        do {
            _ = try renderer.render(RenderRequest(
                template: "greet", locale: "en", timeZone: "UTC",
                parameters: ["when": "2026-11-23T10:00:00Z", "name": "x", "n": "1"]))
            Issue.record("an empty message rendered")
        } catch {
            #expect(error.message.contains("en.yaml:3:10: error: messages.greet: the message is empty"), "\(error.message)")
            #expect(!error.message.contains("nor in its fallbacks"))
        }
    }

    /// A French author's `{prénom}` is a parameter like any other; a name with a space or a brace is refused.
    @Test func parameterNamesInAnyScript() throws {
        let template = simpleTemplate.replacingOccurrences(of: "name: { type: string", with: "prénom: { type: string")
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": template],
            locales: ["en.yaml": "locale: en\nmessages:\n  greet: 'Bonjour {prénom} {when, date} {n}'\n"]).load()
        #expect(catalog.diagnostics.filter { $0.severity == .error }.isEmpty, "\(catalog.diagnostics)")
        let r = try Renderer(catalog: catalog).render(RenderRequest(
            template: "greet", locale: "en", timeZone: "UTC",
            parameters: ["prénom": "Zoë", "when": "2026-11-23T10:00:00Z", "n": "1"]))
        #expect(r.text.hasPrefix("Bonjour Zoë "))
        #expect(Parameter.isName("_x_") && Parameter.isName("ስም") && Parameter.isName("prénom"))
        #expect(!Parameter.isName("first name") && !Parameter.isName("9lives") && !Parameter.isName("a{b") && !Parameter.isName(""))
    }
}
