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
        let counts: [Int64] = [0, 1, 2, 3, 5, 11, 21, 100, 101, 1_000_000, 2_000_000]
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
                    for _ in 0..<40 {
                        let values: [ArgumentValue] = template.parameters.map { p in
                            switch p.kind {
                            case .string, .enum: .string(g.pick(["Amine", "አበበ", "CASE-001", "x'y", "Zoë"]))
                            case .integer: .integer(g.pick(counts))
                            case .decimal, .money:
                                .decimal(g.pick(["0", "1", "45", "1234.5", "999999.999", "1000000", "0.001"]))
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
        #expect(compared == 7 * 3 * 6 * 40)
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
}
