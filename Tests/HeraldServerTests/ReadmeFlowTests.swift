import Foundation
import HeraldCore
import HeraldServer
import HeraldTestSupport
import Testing

/// The README's curl flows, run as written (bash and curl, from the README's own text) against the built
/// `herald serve` on the real clock, and each answer checked against what the README prints after it. The README
/// shows the daytime answers and says how they read at night: a send inside the person's quiet hours is a defer
/// (for the non-urgent templates), so the check knows each example person's time zone.
@Suite struct ReadmeFlowTests {
    /// The example people, their zone and whether their template is urgent (never held by quiet hours).
    static let people: [String: (zone: String, urgent: Bool)] = [
        "u-17": ("Africa/Addis_Ababa", false), "u-1": ("Africa/Addis_Ababa", true),
        "c-501": ("Africa/Addis_Ababa", false), "ecar-c-42": ("Africa/Tunis", false), "c-1": ("Africa/Tunis", false),
    ]

    /// Inside the default quiet hours (21:00-08:00) in the zone, on the clock the server runs on.
    static func atNight(_ zone: String) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let hour = calendar.component(.hour, from: Date(timeIntervalSince1970: Double(SystemClock.now()) / 1000))
        return hour >= 21 || hour < 8
    }

    /// The shell lines of the README's curl section, and for each curl (in order) the answer printed after it.
    static func readmeFlows() throws -> (script: [String], expected: [String?]) {
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "### The seed flows with curl"))
        let end = try #require(lines[start...].firstIndex { $0.hasPrefix("## ") })
        var script: [String] = []
        var expected: [String?] = []
        var inShell = false
        var lastWasComment = false
        for line in lines[start..<end] {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell else { continue }
            if line.hasPrefix("#") {
                let text = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if let index = expected.indices.last {
                    expected[index] = (lastWasComment ? expected[index] ?? "" : "") + text
                }
                lastWasComment = true
                continue
            }
            lastWasComment = false
            if line.hasPrefix("export KEY=") { continue }
            script.append(line)
            if line.contains("curl ") { expected.append(nil) }
        }
        return (script, expected)
    }

    /// The README's fragments, between its `…`, found in order in the answer.
    static func matches(_ answer: String, _ expected: String) -> Bool {
        var rest = Substring(answer)
        for fragment in expected.components(separatedBy: "…") where !fragment.isEmpty {
            guard let range = rest.range(of: fragment) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    /// What the README's daytime answer reads as now: a non-urgent send inside quiet hours is a defer.
    static func adjusted(_ expected: String, answer: String) -> String {
        var text = expected
        if let m = text.firstMatch(of: /SMS to the (\w+) \(([\w-]+), \w+\)/), let person = people[String(m.2)],
            !person.urgent, atNight(person.zone)
        {
            text = text.replacingOccurrences(of: String(m.0), with: "SMS to the \(m.1) (\(m.2)) at …")
            text = text.replacingOccurrences(of: #""action":"send""#, with: #""action":"defer""#)
        }
        if text.contains(#""counts":{"#), atNight("Africa/Tunis") {
            text = text.replacingOccurrences(of: #""queued":1"#, with: #""deferred":1"#)
        }
        // The STOP cancels the reminder and whatever the worker had not sent yet.
        if let m = answer.firstMatch(of: /"cancelled":(\d+)/), let n = Int(m.1), (1...3).contains(n) {
            text = text.replacingOccurrences(of: #""cancelled":1"#, with: #""cancelled":\#(n)"#)
        }
        return text
    }

    @Test func theCurlFlowsAnswerWhatTheReadmeShows() async throws {
        let (script, expected) = try Self.readmeFlows()
        #expect(expected.count >= 14, "the README's curl section")
        #expect(expected.compactMap { $0 }.count >= 9)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (secret, key) = APIKey.make(name: "readme", role: .admin)
        let server = Process()
        server.executableURL = TestPaths.heraldBinary
        server.currentDirectoryURL = TestPaths.packageRoot
        server.arguments = [
            "serve", "--port", "0", "--db", dir.appendingPathComponent("herald.sqlite").path,
            "--keys-file", dir.appendingPathComponent("none.keys").path, "--sms-log", dir.appendingPathComponent("sms.jsonl").path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_API_KEYS"] = key.line.replacingOccurrences(of: " ", with: ":")
        for name in ["HERALD_NOW", "HERALD_QUIET_HOURS", "HERALD_DB", "HERALD_PORT"] { environment.removeValue(forKey: name) }
        server.environment = environment
        let errors = Pipe()
        server.standardError = errors
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGTERM) }
        }
        var log = ""
        var port = 0
        let started = ContinuousClock.now
        while port == 0 && ContinuousClock.now - started < .seconds(30) && server.isRunning {
            let chunk = await onOwnThread { errors.fileHandleForReading.availableData }
            log += String(decoding: chunk, as: UTF8.self)
            if let match = log.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) { port = Int(match.1)! }
        }
        try #require(port > 0, "\(log)")
        let reader = errors.fileHandleForReading
        async let drained = onOwnThread { reader.readDataToEndOfFile() }

        // Each curl's answer goes to the file too, after a marker, so answers are told apart in order.
        let answers = dir.appendingPathComponent("answers.txt").path
        // `date -d` counts from the clock the server runs on (moved by HERALD_TEST_CLOCK_OFFSET when set).
        let shell = [
            "set -u", "curl() { printf '\\n@@@\\n' >> \"$ANSWERS\"; command curl \"$@\" | tee -a \"$ANSWERS\"; }",
            #"date() { if [ "${1:-}" = "-d" ]; then command date -d "$HERALD_TEST_NOW $2" "${@:3}"; else command date "$@"; fi; }"#,
        ]
            + script.map { $0.replacingOccurrences(of: "localhost:8080", with: "localhost:\(port)") }
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.currentDirectoryURL = TestPaths.packageRoot
        bash.arguments = ["-c", shell.joined(separator: "\n")]
        var bashEnvironment = ProcessInfo.processInfo.environment
        bashEnvironment["KEY"] = secret
        bashEnvironment["ANSWERS"] = answers
        let nowFormat = DateFormatter()
        nowFormat.locale = Locale(identifier: "en_US_POSIX")
        nowFormat.timeZone = TimeZone(identifier: "UTC")
        nowFormat.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        bashEnvironment["HERALD_TEST_NOW"] = nowFormat.string(from: Date(timeIntervalSince1970: Double(SystemClock.now()) / 1000))
        bash.environment = bashEnvironment
        let bashErrors = Pipe()
        bash.standardOutput = FileHandle.nullDevice
        bash.standardError = bashErrors
        try bash.run()
        let bashStderr = await onOwnThread { String(decoding: bashErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        await onOwnThread { bash.waitUntilExit() }
        #expect(bash.terminationStatus == 0, "\(bashStderr)")

        let text = try String(contentsOfFile: answers, encoding: .utf8)
        let outputs = text.components(separatedBy: "\n@@@\n").dropFirst().map { $0 }
        try #require(outputs.count == expected.count, "one answer per curl of the README: \(outputs)")
        for (index, answer) in outputs.enumerated() {
            #expect(!answer.isEmpty, "curl \(index + 1) answered nothing")
            if let shown = expected[index] {
                let now = Self.adjusted(shown, answer: answer)
                #expect(Self.matches(answer, now), "curl \(index + 1): the README shows\n\(now)\nthe server answered\n\(answer)")
            } else if !(answer.contains("resendOf") || answer.contains("still on its way")) {
                #expect(!answer.contains(#""title":"#), "curl \(index + 1) answered a problem: \(answer)")
            }
        }

        kill(server.processIdentifier, SIGTERM)
        _ = await drained
        await onOwnThread { server.waitUntilExit() }
        #expect(server.terminationStatus == 0)
    }
}
