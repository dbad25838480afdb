import Foundation
import Testing

/// Every example a command's `--help` prints runs as printed, pasted into a shell in a folder holding the
/// shipped catalog and `Examples/`, with `herald` on the PATH. `serve` and `bench` are left out: one runs until
/// stopped, the other wants a release build and the shared benchmark (the README's flows run them).
@Suite struct HelpExampleTests {
    /// In the order a new user would try them: the worker first, on an empty outbox.
    static let commands: [[String]] = [
        ["worker"], ["render"], ["check"], ["segments"], ["event"], ["contact", "show"], ["contact", "set"], ["messages"],
        ["explain"], ["dlr"], ["campaign"], ["stats"], ["send"], ["keys", "new"], ["keys", "list"],
    ]

    /// The example lines of a help text (printed wide, so none is wrapped): after `Example:` or `Examples:`, up to
    /// a blank line; a line ending in `\` goes on with the next.
    static func examples(_ help: String) -> [String] {
        var out: [String] = []
        var inside = false
        var pending = ""
        for raw in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Example:") || line.hasPrefix("Examples:") {
                inside = true
                line = String(line.drop(while: { $0 != ":" }).dropFirst()).trimmingCharacters(in: .whitespaces)
                if line.isEmpty { continue }
            }
            guard inside else { continue }
            if line.isEmpty || line.hasPrefix("USAGE:") {
                inside = false
                continue
            }
            pending += (pending.isEmpty ? "" : " ") + line
            if pending.hasSuffix("\\") {
                pending = String(pending.dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            if pending.contains("herald ") { out.append(pending) }
            pending = ""
        }
        return out
    }

    @Test func everyHelpExampleRunsAsPrinted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for folder in ["Templates", "Locales", "Events", "Examples"] {
            try FileManager.default.createSymbolicLink(
                at: dir.appendingPathComponent(folder), withDestinationURL: CLI.root.appendingPathComponent(folder))
        }
        let path = CLI.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var ran: [String] = []
        for command in Self.commands {
            let help = try await CLI.run(command + ["--help"], cwd: dir, env: ["COLUMNS": "400"])
            #expect(help.status == 0)
            for example in Self.examples(help.stdout) {
                let r = try await CLI.run(
                    ["-c", example], cwd: dir, env: ["PATH": path, "HERALD_DB": dir.appendingPathComponent("herald.sqlite").path],
                    executable: URL(fileURLWithPath: "/bin/sh"))
                #expect(r.status == 0, "herald \(command.joined(separator: " ")) --help shows `\(example)`; it exits \(r.status): \(r.stderr)")
                ran.append(example)
            }
        }
        #expect(ran.count >= 15, "\(ran)")
    }

    @Test func examplesAreReadWholeFromAHelpText() {
        let help = """
            Examples:
              herald render invoice.created --language fr \\
                --param total=1
              herald stats

            USAGE: herald render
            """
        #expect(Self.examples(help) == ["herald render invoice.created --language fr --param total=1", "herald stats"])
        #expect(Self.examples("Example: herald keys new --role backend --name crm") == ["herald keys new --role backend --name crm"])
    }
}
