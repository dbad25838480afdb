import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeraldCore
import HeraldPostgres
import HeraldServer
import HeraldStore
import HeraldTestSupport
import Testing

/// A `herald serve` process of a test: started with its arguments, its log read as it goes, its port read from the
/// line that says it listens.
final class ServeProcess: Sendable {
    let process: Process
    let port: Int
    let log: Locked<String>

    static func start(_ arguments: [String], environment: [String: String]) async throws -> ServeProcess {
        let process = Process()
        process.executableURL = TestPaths.heraldBinary
        process.currentDirectoryURL = TestPaths.packageRoot
        process.arguments = ["serve", "--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = Locked("")
        let reader = errors.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return }
                log.update { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let match = log.value.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) {
                return ServeProcess(process: process, port: Int(match.1)!, log: log)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw TestPostgresError(description: "herald serve did not start: \(log.value)")
    }

    private init(process: Process, port: Int, log: Locked<String>) {
        self.process = process
        self.port = port
        self.log = log
    }

    /// SIGTERM, and waits for the exit; returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        let process = process
        await onOwnThread { process.waitUntilExit() }
        return process.terminationStatus
    }

    /// SIGKILL: the process dies where it stands, claims and all.
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        let process = process
        await onOwnThread { process.waitUntilExit() }
    }
}

/// POSTs an event; the status, or nil when the server could not be reached.
func postEvent(_ json: String, port: Int, key: String, session: URLSession) async -> Int? {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/events")!)
    request.httpMethod = "POST"
    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(json.utf8)
    request.timeoutInterval = 30
    guard let (_, response) = try? await session.data(for: request) else { return nil }
    return (response as? HTTPURLResponse)?.statusCode
}

/// A `case.assigned` event received now (no `occurredAt`), so it is worth sending whatever day the test runs.
func assignedNow(id: String, assignee: String, number: Int) -> String {
    """
    {"id": "\(id)", "type": "case.assigned",
     "data": {"case": {"number": "CASE-\(number)", "title": "Printer"},
              "assignee": {"id": "\(assignee)", "phone": "09112\(String(format: "%05d", number))"}, "actor": {"id": "u-3"}}}
    """
}

func openStore(_ kind: StoreKind, at location: String) async throws -> any Storage {
    switch kind {
    case .sqlite: try SQLiteStore(path: location)
    case .postgres: try await PostgresStore.open(PostgresSettings(url: location))
    }
}

/// Waits until every message of the store has reached a final status (sent included), at most `seconds`.
func waitUntilAllSent(_ store: any Storage, seconds: Double) async throws -> [String: Int] {
    let deadline = Date().addingTimeInterval(seconds)
    var counts: [String: Int] = [:]
    while Date() < deadline {
        counts = try await store.messageCounts()
        let open = counts.filter { $0.key != "sent" && !(MessageStatus(rawValue: $0.key)?.isFinal ?? false) }
        if open.values.reduce(0, +) == 0 { return counts }
        try await Task.sleep(for: .milliseconds(200))
    }
    return counts
}

@Suite("Each store end to end, and many processes on one PostgreSQL")
struct ScaleOutTests {
    /// The options every server here runs with: no quiet hours or rate limit (the real clock runs), a provider on
    /// loopback.
    static func serveArguments(db: String, providerPort: Int, keysFile: String, lease: Int = 120) -> [String] {
        [
            "--db", db, "--keys-file", keysFile, "--quiet-hours", "off", "--rate-limit", "off",
            "--sms-url", "http://127.0.0.1:\(providerPort)/send", "--sms-method", "POST", "--sms-id-path", "id",
            "--concurrency", "8", "--sms-timeout", "2", "--lease", "\(lease)",
        ]
    }

    @Test(arguments: StoreKind.available)
    func theServerItsWorkerAndACampaignOnOneDatabase(_ kind: StoreKind) async throws {
        let (providerPort, received, stopProvider) = try await ServeTests().provider()
        defer { stopProvider() }
        let db = try await kind.freshLocation()
        let keysFile = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).keys").path
        let (secret, key) = APIKey.make(name: "crm", role: .backend)
        let server = try await ServeProcess.start(
            Self.serveArguments(db: db, providerPort: providerPort, keysFile: keysFile),
            environment: ["HERALD_API_KEYS": key.line.replacingOccurrences(of: " ", with: ":")])

        let session = URLSession(configuration: .ephemeral)
        for n in 0..<30 {
            let status = await postEvent(assignedNow(id: "e2e-\(n)", assignee: "p-\(n)", number: n), port: server.port,
                                         key: secret, session: session)
            #expect(status == 201, "event \(n) on \(kind)")
        }
        // The same event again is answered with what was stored, and stores nothing new.
        #expect(await postEvent(assignedNow(id: "e2e-0", assignee: "p-0", number: 0), port: server.port, key: secret,
                                session: session) == 200)

        // A campaign from the CLI, on the same database while the server runs; the server's worker sends it.
        let campaign = try await runHerald([
            "campaign", "invoice.created", "--recipients", "Examples/campaign/customers.csv", "--param", "carMake=Peugeot",
            "--id", "camp-e2e", "--db", db, "--quiet-hours", "off", "--rate-limit", "off",
        ])
        #expect(campaign.status == 0, "\(campaign.output)")

        let store = try await openStore(kind, at: db)
        let counts = try await waitUntilAllSent(store, seconds: 60)
        #expect(counts == ["sent": 34], "\(counts) on \(kind); \(server.log.value.suffix(1500))")
        #expect(await server.stop() == 0)
        // Every message reached the provider under its own key; a key seen twice is a retry (an answer slower than
        // --sms-timeout on a loaded machine), never more requests than attempts.
        let keys = received.value
        let attempts = try await store.messages(MessageFilter(limit: 100)).reduce(0) { $0 + $1.attempts }
        #expect(Set(keys).count == 34 && keys.count <= attempts, "\(keys.count) requests, \(Set(keys).count) keys, \(attempts) attempts")
        #expect(try await store.campaignCounts("camp-e2e").queued == 4)
        #expect(try await store.explain(event: "e2e-0")?.decisions.count == 1)
    }

    /// Two servers on one PostgreSQL database, each with its worker; events posted to both, some to both under the
    /// same id; one server killed with SIGKILL mid-run and started again. In the end every acknowledged event has
    /// its decision, every message reached the provider under its own key, and nothing is left claimed.
    @Test(.enabled(if: TestPostgres.url != nil, "needs PostgreSQL (scripts/with-postgres)"))
    func twoProcessesOneTruth() async throws {
        let (providerPort, received, stopProvider) = try await ServeTests().provider()
        defer { stopProvider() }
        let db = try await StoreKind.postgres.freshLocation()
        let keysFile = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).keys").path
        let (secret, key) = APIKey.make(name: "crm", role: .backend)
        // A short lease: what the killed server had claimed is claimed again by the other within 3 s.
        let arguments = Self.serveArguments(db: db, providerPort: providerPort, keysFile: keysFile, lease: 3)
        let environment = ["HERALD_API_KEYS": key.line.replacingOccurrences(of: " ", with: ":")]
        let first = try await ServeProcess.start(arguments, environment: environment)
        let second = try await ServeProcess.start(arguments, environment: environment)
        let ports = Locked([first.port, second.port])

        let answered = Locked<[String: Int]>([:])
        let session = URLSession(configuration: .ephemeral)
        let total = 240
        let restarted = try await withThrowingTaskGroup(of: ServeProcess?.self) { group in
            for client in 0..<6 {
                group.addTask {
                    for n in stride(from: client, to: total, by: 6) {
                        // Every tenth event goes to both servers under one id.
                        let id = "two-\(n)"
                        let json = assignedNow(id: id, assignee: "p-\(n)", number: n)
                        let targets = n % 10 == 0 ? [0, 1] : [n % 2]
                        for target in targets {
                            if let status = await postEvent(json, port: ports.value[target], key: secret, session: session),
                               status == 200 || status == 201
                            {
                                answered.update { $0[id] = status }
                            }
                        }
                    }
                    return nil
                }
            }
            // Mid-run: the first server is killed where it stands, then started again on a new port.
            group.addTask {
                while answered.value.count < total / 3 { try await Task.sleep(for: .milliseconds(20)) }
                await first.kill9()
                let again = try await ServeProcess.start(arguments, environment: environment)
                ports.update { $0[0] = again.port }
                return again
            }
            var again: ServeProcess?
            for try await process in group where process != nil { again = process }
            return again
        }
        let store = try await openStore(.postgres, at: db)
        let counts = try await waitUntilAllSent(store, seconds: 90)
        let acknowledged = answered.value.keys
        #expect(acknowledged.count >= total * 2 / 3, "only \(acknowledged.count) of \(total) acknowledged")
        for id in acknowledged {
            let decisions = try await store.explain(event: id)?.decisions ?? []
            #expect(decisions.count == 1, "event \(id): \(decisions.count) decisions")
        }
        let messages = try await store.messages(MessageFilter(limit: 10_000))
        #expect(counts["sending", default: 0] == 0 && counts["queued", default: 0] == 0, "\(counts)")
        #expect(messages.allSatisfy { $0.status == .sent }, "\(counts)")
        // Each message reached the provider under its own key.
        let keys = received.value
        let expected = Set(messages.map { "herald-\(store.instance)-\($0.id)" })
        #expect(Set(keys) == expected, "provider keys \(Set(keys).count), messages \(expected.count)")
        // A key seen twice is a send the killed server had started (the provider's idempotency drops it): only
        // messages claimed again, no more than the killed worker could hold unrecorded (8 in flight and up to 63
        // answers not yet written).
        let reclaimedIDs = Set(messages.filter { $0.attempts > 1 }.map { "herald-\(store.instance)-\($0.id)" })
        let reclaimed = reclaimedIDs.count
        var seen = Set<String>()
        let repeated = keys.filter { !seen.insert($0).inserted }
        #expect(Set(repeated).isSubset(of: reclaimedIDs), "a key sent twice whose message was claimed once")
        #expect(reclaimed <= 8 + 63, "\(reclaimed) claimed again")
        FileHandle.standardError.write(Data(
            "two processes: \(acknowledged.count) events acknowledged, \(messages.count) messages, \(keys.count) sends, \(reclaimed) claimed again after the kill\n".utf8))
        #expect(await second.stop() == 0)
        if let restarted { #expect(await restarted.stop() == 0, "\(restarted.log.value.suffix(1000))") }
    }
}

/// Runs the built `herald` from the package root; its exit status and everything it printed.
func runHerald(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = TestPaths.heraldBinary
    process.currentDirectoryURL = TestPaths.packageRoot
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let reader = pipe.fileHandleForReading
    let data = await onOwnThread { reader.readDataToEndOfFile() }
    await onOwnThread { process.waitUntilExit() }
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
