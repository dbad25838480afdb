import Foundation
import HeraldTestSupport
import Testing

/// Runs the built `herald` binary, as a user would.
struct CLI {
    static let root = TestPaths.packageRoot

    static var binary: URL { TestPaths.heraldBinary }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built herald and waits for it on a thread of its own (see `onOwnThread`).
    static func run(
        _ arguments: [String], stdin: String? = nil, cwd: URL = root, env: [String: String] = [:], executable: URL? = nil
    ) async throws -> Result {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "HERALD_TEMPLATES")
        environment.removeValue(forKey: "HERALD_LOCALES")
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        return await onOwnThread {
            // Both pipes drained at once, so a child that fills one while the other is read never stalls.
            let stderrData = Locked(Data())
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
                done.signal()
            }
            let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
            done.wait()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                          stderr: String(decoding: stderrData.get(), as: UTF8.self))
        }
    }
}

/// A value shared between two threads of a test.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: T) { lock.lock(); value = new; lock.unlock() }
}

@Suite(.serialized) struct CLITests {
    let invoice = ["invoice.created", "--language", "fr", "--time-zone", "Africa/Tunis", "--param", "firstName=Amine",
                   "--param", "invoiceNumber=F-2026-0042", "--param", "total=1234.5", "--param", "carMake=Peugeot",
                   "--param", "carModel=208"]

    @Test func renderPrintsTheMessageAndItsCost() async throws {
        let r = try await CLI.run(["render"] + invoice)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Bonjour Amine, une nouvelle facture (F-2026-0042) de 1 234,500 DT pour votre Peugeot 208 a été émise. Merci de votre confiance.")
        #expect(r.stdout.contains("encoding   GSM-7, 127 septets, 1 segment\n"))
        #expect(r.stdout.contains("replaced   U+202F → ' ' ×1, U+00A0 → ' ' ×1"))
        #expect(r.stdout.contains("saved      without replacement: UCS-2, 2 segments"))
    }

    /// The benches run end to end on small inputs; a debug build says so on standard error.
    @Test func benchesReportWhatTheyMeasured() async throws {
        let segments = try await CLI.run(["bench", "segments", "--messages", "300", "--passes", "1", "--json"])
        #expect(segments.status == 0, "\(segments.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(segments.stdout.utf8)) as? [String: Any])
        #expect(object["messages"] as? Int == 300)
        #expect((object["ns_per_160_gsm7"] as? Double ?? 0) > 0)
        #expect(object["cores"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
        #if DEBUG
        #expect(segments.stderr.contains("DEBUG build"))
        #endif

        let ingest = try await CLI.run(["bench", "ingest", "--singles", "5", "--count", "40", "--batch", "20", "--json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [String: Any])
        let batched = try #require(figures["batch_20"] as? [String: Any])
        #expect(batched["events"] as? Int == 40)
        #expect(batched["decisions"] as? Int ?? 0 >= 40)
        #expect((batched["messages"] as? Int ?? 0) > 0)
        #expect((figures["batch_1"] as? [String: Any])?["events"] as? Int == 5)
    }

    @Test func renderJSON() async throws {
        let r = try await CLI.run(["render"] + invoice + ["--json", "--at", "2026-03-12T10:00:00Z"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["encoding"] as? String == "GSM-7")
        #expect(object["segments"] as? Int == 1)
        #expect(object["rawText"] as? String == "Bonjour Amine, une nouvelle facture (F-2026-0042) de 1\u{202F}234,500\u{00A0}DT pour votre Peugeot 208 a été émise. Merci de votre confiance.")
        #expect(object["expiresAt"] as? String == "2026-03-15T10:00:00Z")
        #expect((object["replacements"] as? [[String: Any]])?.count == 2)
    }

    @Test(arguments: [
        (["render", "nope", "--language", "fr"], "error: unknown template 'nope'"),
        (["render", "case.resolved", "--param", "caseNumber=1", "--time-zone", "Nowhere/City"], "error: unknown time zone 'Nowhere/City'"),
        (["render", "case.resolved", "--param", "caseNumber=1", "--language", "fr_FR!"], "is not a BCP 47 language tag"),
        (["render", "case.assigned", "--param", "caseNumber=1"], "error: template 'case.assigned' needs parameter 'title' (string)"),
        (["render", "case.resolved", "--param", "caseNumber"], "--param 'caseNumber' is not name=value"),
    ])
    func badInputIsAClearErrorAndNonZeroExit(arguments: [String], message: String) async throws {
        let r = try await CLI.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
        #expect(r.stdout.isEmpty)
    }

    @Test func checkPassesOnTheShippedCatalogAndFailsOnABrokenOne() async throws {
        let ok = try await CLI.run(["check"])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("7 templates, 3 locales (am, en, fr): 0 errors"))
        let json = try await CLI.run(["check", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((report["costs"] as? [Any])?.count == 21)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Templates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Locales"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Templates/case.resolved.yaml"),
                                         to: dir.appendingPathComponent("Templates/case.resolved.yaml"))
        try "locale: en\nmessages:\n  case.resolved: 'Your case {caseNumber has been resolved.'\n"
            .write(to: dir.appendingPathComponent("Locales/en.yaml"), atomically: true, encoding: .utf8)
        // Found through the environment variables, the second place Herald looks.
        let broken = try await CLI.run(["check"], cwd: dir, env: [
            "HERALD_TEMPLATES": dir.appendingPathComponent("Templates").path,
            "HERALD_LOCALES": dir.appendingPathComponent("Locales").path])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("Locales/en.yaml:3:30: error: messages.case.resolved: MessageFormat syntax: syntax error at \"caseNumber has been reso\""))
        // And through the current directory, the last.
        let cwd = try await CLI.run(["check"], cwd: dir)
        #expect(cwd.status == 1)
        #expect(cwd.stdout.contains("en.yaml:3:30: error"))
    }

    /// What forces UCS-2 is named, with its price, and the room left before the next segment.
    @Test func renderAndCheckNameWhatForcesUCS2() async throws {
        let r = try await CLI.run(["render", "case.response_added", "--language", "fr", "--param", "caseNumber=CASE-1", "--param", "responseCount=2"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("UCS-2 by   U+00E7 ç (in GSM-7 without it: 1 segment instead of 2)"), "\(r.stdout)")
        #expect(r.stdout.contains("room       23 more UTF-16 units before segment 3"))
        let check = try await CLI.run(["check"])
        #expect(check.stdout.contains("UCS-2 because of ç U+00E7"), "\(check.stdout)")
        #expect(check.stdout.contains("characters outside GSM-7"))
    }

    /// `herald check` on a catalog of deliberate mistakes (Fixtures/mistakes: an apostrophe that swallows an
    /// argument, currency codes, money not printed as money, a served language without its message, a plural without
    /// `other`, a budget exceeded, an indentation slip, a misspelt setting, a misspelt audience) against its golden
    /// output. `HERALD_UPDATE_GOLDEN=1 swift test` rewrites it after a deliberate change; review its diff.
    @Test func checkOnACatalogOfMistakesMatchesItsGoldenOutput() async throws {
        let fixtures = CLI.root.appendingPathComponent("Tests/HeraldCLITests/Fixtures")
        let r = try await CLI.run(["check"], cwd: fixtures.appendingPathComponent("mistakes"))
        #expect(r.status == 1)
        let golden = fixtures.appendingPathComponent("check-mistakes.txt")
        if ProcessInfo.processInfo.environment["HERALD_UPDATE_GOLDEN"] == "1" {
            try r.stdout.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(r.stdout == expected, "herald check's output changed; if on purpose, HERALD_UPDATE_GOLDEN=1 swift test")
    }

    /// Warnings pass, unless --strict: then they fail with exit 2, for a team's CI.
    @Test func strictCheckFailsOnWarnings() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-strict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Templates"), to: dir.appendingPathComponent("Templates"))
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Locales"), to: dir.appendingPathComponent("Locales"))
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Events"), to: dir.appendingPathComponent("Events"))
        // The Amharic message of case.resolved taken out: with am among the locales the catalog serves, an error;
        // without that declaration, a warning (it falls back to English).
        let am = dir.appendingPathComponent("Locales/am.yaml")
        var lines = try String(contentsOf: am, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let at = try #require(lines.firstIndex { $0.hasPrefix("  case.resolved:") })
        lines.removeSubrange(at...(at + 1))
        try lines.joined(separator: "\n").write(to: am, atomically: true, encoding: .utf8)
        let served = try await CLI.run(["check"], cwd: dir)
        #expect(served.status == 1)
        #expect(served.stdout.contains("Locales/am.yaml: error: messages.case.resolved: missing; am recipients get the en message (the catalog serves am: catalog.yaml)"), "\(served.stdout)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("Locales/catalog.yaml"))
        let plain = try await CLI.run(["check"], cwd: dir)
        #expect(plain.status == 0, "\(plain.stdout)")
        #expect(plain.stdout.contains("0 errors, 1 warning"))
        let strict = try await CLI.run(["check", "--strict"], cwd: dir)
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("herald check --strict: 1 warning fail the check"))
        #expect(try await CLI.run(["check", "--strict"]).status == 0)
    }

    /// A locale the catalog serves whose file is gone is an error at the line that declares it.
    @Test func aServedLocaleWhoseFileIsGoneIsAnError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-gone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for folder in ["Templates", "Locales", "Events"] {
            try FileManager.default.copyItem(at: CLI.root.appendingPathComponent(folder), to: dir.appendingPathComponent(folder))
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("Locales/am.yaml"))
        let r = try await CLI.run(["check"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stdout.contains("Locales/catalog.yaml:3: error: locales: the catalog serves 'am' but Locales/am.yaml is missing"), "\(r.stdout)")
    }

    @Test func segmentsStreamsJSONLinesInOrder() async throws {
        let input = [
            #"{"id": 1, "text": "hello"}"#,
            #"{"id": "b", "text": "\#(String(repeating: "a", count: 161))"}"#,
            #"{"id": 3, "text": "ሰላም"}"#,
            "not json",
            #"{"id": 5, "text": "1\u202f234,500\u00a0DT"}"#,
        ].joined(separator: "\n")
        let raw = try await CLI.run(["segments"], stdin: input)
        #expect(raw.status == 1)  // one bad line
        #expect(raw.stdout.split(separator: "\n") == [
            #"{"id":1,"encoding":"GSM-7","units":5,"segments":1}"#,
            #"{"id":"b","encoding":"GSM-7","units":161,"segments":2}"#,
            #"{"id":3,"encoding":"UCS-2","units":3,"segments":1}"#,
            #"{"id":null,"line":4,"error":"expected a JSON object with a string \"text\""}"#,
            #"{"id":5,"encoding":"UCS-2","units":12,"segments":1}"#,
        ])
        let kept = try await CLI.run(["segments", "--keep-gsm", "fr"], stdin: #"{"id": 5, "text": "1\u202f234,500\u00a0DT"}"#)
        #expect(kept.status == 0)
        #expect(kept.stdout == #"{"id":5,"encoding":"GSM-7","units":12,"segments":1,"text":"1 234,500 DT"}"# + "\n")
    }

    @Test func segmentsSummaryForOneText() async throws {
        let r = try await CLI.run(["segments", "Prix : 12 € – merci"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("encoding  UCS-2"))
        #expect(r.stdout.contains("UCS-2 by  U+2013 –"))
        let kept = try await CLI.run(["segments", "--keep-gsm", "fr", "Prix : 12 € – merci"])
        #expect(kept.stdout.contains("encoding  GSM-7"))
        #expect(kept.stdout.contains("units     20 septets"))
        let unknown = try await CLI.run(["segments", "--keep-gsm", "de", "x"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("--keep-gsm de: no such locale"))
    }
}
