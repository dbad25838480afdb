import ArgumentParser
import Foundation
import HeraldCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the whole catalog: syntax, parameters, translations, fallbacks and segment budgets.",
        discussion: """
            Exit status: 0 when the catalog is clean (warnings allowed), 1 when it has an error, 2 with --strict
            when it has no error but a warning. Run it in your CI, with --strict to keep warnings out too.
            """
    )

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Fail on warnings too (exit 2), for a team's CI.")
    var strict = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        let report = catalogOptions.load().check()
        if json {
            try printJSON(report)
        } else {
            for diagnostic in report.diagnostics { print(diagnostic) }
            if !report.diagnostics.isEmpty { print("") }
            print("worst case per template and locale (parameters at their maximum length):")
            var current = ""
            for cost in report.costs {
                if cost.template != current {
                    current = cost.template
                    print("  \(cost.template) (budget \(cost.segmentBudgetText))")
                }
                let via = cost.messageLocale == cost.locale ? "" : " (\(cost.messageLocale) message)"
                let unit = cost.encoding == .gsm7 ? "septets" : "units"
                let ucs2 = cost.encoding == .gsm7 && cost.segmentsIfUCS2 > cost.segments
                    ? ", \(cost.segmentsIfUCS2) if a value is not GSM-7" : ""
                let over = cost.segments > cost.budget ? "  OVER BUDGET" : ""
                print("    \(cost.locale.padding(toLength: 6, withPad: " ", startingAt: 0))\(cost.encoding.rawValue)  \(cost.units) \(unit), \(cost.segments) segment\(cost.segments == 1 ? "" : "s")\(ucs2)\(via)\(over)")
                if cost.encoding == .ucs2 {
                    // Which characters make it UCS-2, and what they cost against GSM-7.
                    let forcing = SMS.nonGSMCharacters(cost.text)
                    let without = SMS.countWithoutUCS2Characters(cost.text)
                    if forcing.count > 5 {
                        // A script outside GSM-7 (Ethiopic): nothing to change.
                        print("          UCS-2: \(forcing.count) characters outside GSM-7 (\(forcing.prefix(3).map { String($0) }.joined(separator: " ")) …), the script itself")
                    } else {
                        let names = forcing.map { "\(String($0)) \($0.codePoint)" }.joined(separator: ", ")
                        let price = without.segments < cost.segments
                            ? "; in GSM-7 it would take \(without.segments) segment\(without.segments == 1 ? "" : "s")" : ""
                        print("          UCS-2 because of \(names)\(price)")
                    }
                }
            }
            print("")
            print("\(report.templates) templates, \(report.locales.count) locales (\(report.locales.joined(separator: ", "))): \(report.errors) error\(report.errors == 1 ? "" : "s"), \(report.warnings) warning\(report.warnings == 1 ? "" : "s")")
        }
        if report.errors > 0 { throw ExitCode(1) }
        if strict, report.warnings > 0 {
            FileHandle.standardError.write(Data("herald check --strict: \(report.warnings) warning\(report.warnings == 1 ? "" : "s") fail the check\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension CatalogReport.Cost {
    var segmentBudgetText: String { "\(budget) segment\(budget == 1 ? "" : "s")" }
}
