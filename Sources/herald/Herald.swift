import ArgumentParser
import Foundation
import HeraldCore

@main
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Localized SMS templates and policy: render, check and count messages; ingest events and explain decisions.",
        version: "0.1.0",
        subcommands: [
            Render.self, Check.self, Segments.self, Ingest.self, ContactCommand.self, Messages.self, Explain.self,
            WorkerCommand.self, Send.self, DLR.self, Campaign.self, Stats.self, Serve.self, Keys.self, Bench.self,
        ]
    )
}

/// Where Templates/ and Locales/ are: flags, then HERALD_TEMPLATES / HERALD_LOCALES, then the current directory.
struct CatalogOptions: ParsableArguments {
    @Option(help: "Folder of template files (default: $HERALD_TEMPLATES, else ./Templates).")
    var templates: String?

    @Option(help: "Folder of locale files (default: $HERALD_LOCALES, else ./Locales).")
    var locales: String?

    @Option(help: "Folder of event type files (default: $HERALD_EVENTS, else Events/ beside the templates folder).")
    var events: String?

    var templatesPath: String { templates ?? ProcessInfo.processInfo.environment["HERALD_TEMPLATES"] ?? "Templates" }
    var localesPath: String { locales ?? ProcessInfo.processInfo.environment["HERALD_LOCALES"] ?? "Locales" }
    var eventsPath: String? { events ?? ProcessInfo.processInfo.environment["HERALD_EVENTS"] }

    func load() -> Catalog { Catalog.load(templates: templatesPath, locales: localesPath, events: eventsPath) }
}

extension ParsableCommand {
    /// Explains a failure on stderr; the returned code exits without more output.
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(code)
    }
}

/// Prints JSON: indented for people, or one line (`pretty: false`) for JSON-lines output.
func printJSON(_ value: some Encodable, pretty: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
