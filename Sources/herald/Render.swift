import ArgumentParser
import Foundation
import HeraldCore

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a template for a locale and time zone, with its encoding and segment count.",
        discussion: """
            Example:
              herald render invoice.created --language fr --time-zone Africa/Tunis \\
                --param firstName=Amine --param invoiceNumber=F-2026-0042 --param total=1234.5 \\
                --param carMake=Peugeot --param carModel=208
            """
    )

    @Argument(help: "Template id, e.g. invoice.created.")
    var template: String

    @Option(name: .customLong("language"), help: "The recipient's language, a BCP 47 tag (fr, en, am, am-ET, fr-TN).")
    var locale: String = "en"

    @Option(name: .customLong("time-zone"), help: "Recipient's IANA time zone, e.g. Africa/Tunis, Africa/Addis_Ababa.")
    var tz: String = "UTC"

    @Option(name: .customLong("param"), help: "A parameter as name=value; repeat for each.")
    var params: [String] = []

    @Option(help: "The instant the message is rendered for (ISO 8601), to show when it expires.")
    var at: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        for param in params where !param.contains("=") {
            throw ValidationError("--param '\(param)' is not name=value")
        }
    }

    func run() throws {
        let catalog = catalogOptions.load()
        let broken = catalog.diagnostics.filter { $0.severity == .error }
        for diagnostic in broken.prefix(5) {
            FileHandle.standardError.write(Data("warning: catalog: \(diagnostic)\n".utf8))
        }
        var values: [String: String] = [:]
        for param in params {
            let parts = param.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if values[name] != nil { throw Self.fail("--param \(name) is given twice") }
            values[name] = String(parts[1])
        }
        var atMs: Double?
        if let at {
            guard let ms = ParameterValue.epochMilliseconds(at, timeZone: tz) else {
                throw Self.fail("--at '\(at)' is not an ISO 8601 date-time")
            }
            atMs = ms
        }
        let renderer = Renderer(catalog: catalog)
        let rendered: RenderedMessage
        do {
            rendered = try renderer.render(
                RenderRequest(template: template, locale: locale, timeZone: tz, parameters: values, at: atMs))
        } catch {
            throw Self.fail(error.message)
        }
        if json {
            try printJSON(rendered)
            return
        }
        print(rendered.text)
        print("")
        print(Self.summary(rendered))
    }

    static func summary(_ r: RenderedMessage) -> String {
        var lines: [String] = []
        let unitName = r.encoding == .gsm7 ? "septets" : "UTF-16 units"
        lines.append("template   \(r.template) (message: \(r.messageLocale), formatted as \(r.formattingLocale), \(r.timeZone))")
        if !r.fellBackFrom.isEmpty { lines.append("fallback   no message in \(r.fellBackFrom.joined(separator: ", ")); used \(r.messageLocale)") }
        lines.append("encoding   \(r.encoding.rawValue), \(r.units) \(unitName), \(r.segments) segment\(r.segments == 1 ? "" : "s")")
        if !r.replacements.isEmpty {
            let list = r.replacements.map { "\($0.codePoint) → \($0.replacement.isEmpty ? "(removed)" : "'\($0.replacement)'") ×\($0.count)" }
            lines.append("replaced   \(list.joined(separator: ", "))")
            lines.append("saved      without replacement: \(r.rawCount.encoding.rawValue), \(r.rawCount.segments) segment\(r.rawCount.segments == 1 ? "" : "s")")
        }
        if !r.forcedUCS2.isEmpty {
            var line = "UCS-2 by   \(r.forcedUCS2.prefix(8).joined(separator: ", "))\(r.forcedUCS2.count > 8 ? ", …" : "")"
            if let without = r.costWithoutUCS2Characters, without.encoding == .gsm7 {
                line += without.segments < r.segments
                    ? " (in GSM-7 without \(r.forcedUCS2.count == 1 ? "it" : "them"): \(without.segments) segment\(without.segments == 1 ? "" : "s") instead of \(r.segments))"
                    : " (in GSM-7 it would still be \(without.segments) segment\(without.segments == 1 ? "" : "s"))"
            }
            lines.append(line)
        }
        lines.append("room       \(r.room) more \(unitName) before segment \(r.segments + 1)")
        for (index, part) in r.parts.enumerated() { lines.append("part \(index + 1)     \(part)") }
        for warning in r.warnings { lines.append("warning    \(warning)") }
        if let expires = r.expiresAt { lines.append("expires    \(expires)") }
        return lines.joined(separator: "\n")
    }
}
