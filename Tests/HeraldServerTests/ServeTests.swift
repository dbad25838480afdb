import Foundation
import HeraldTestSupport
import HTTPTypes
import HeraldCore
import HeraldDelivery
import HeraldServer
import HeraldStore
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif


/// The built `herald serve`, on a real socket.
@Suite struct ServeTests {
    static var binary: URL { TestPaths.heraldBinary }

    @Test func theRouterAnswersOnALoopbackSocket() async throws {
        let h = try ServerHarness()
        try await h.application().test(.live) { client in
            #expect(try await client.call(.get, "/health", headers: h.headers(nil)).status == 200)
            let r = try await client.call(.post, "/v1/events", assigned(id: "live-1"), headers: h.headers(.backend))
            #expect(r.status == 201)
            #expect(try await client.call(.get, "/v1/messages", headers: h.headers(.backend)).status == 403)
        }
    }

    /// A provider that answers every send after 20 ms, counting what it received.
    func provider() async throws -> (port: Int, received: Locked<[String]>, stop: @Sendable () -> Void) {
        let received = Locked<[String]>([])
        let router = Router()
        router.post("/send") { request, _ -> Response in
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? "?"
            try await Task.sleep(for: .milliseconds(20))
            let n = received.update { $0.append(key); return $0.count }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"id": "p-\#(n)"}"#)))
        }
        let port = Locked(0)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.update { $0 = channel.localAddress?.port ?? 0 } },
            logger: { var l = Logger(label: "provider"); l.logLevel = .error; return l }())
        let task = Task { try await app.runService() }
        while port.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        return (port.value, received, { task.cancel() })
    }

    /// Runs `herald serve` that must refuse to start: its exit status (nil when a 20 s watchdog had to kill it)
    /// and what it printed on standard error.
    static func serveThatMustStop(_ arguments: [String], in directory: URL) async throws -> (Int32?, String) {
        let process = Process()
        process.executableURL = binary
        process.currentDirectoryURL = directory
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: 20)
            if process.isRunning { kill(pid, SIGKILL) }
        }
        watchdog.start()
        let reader = errors.fileHandleForReading
        let stderr = await onOwnThread { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }
        await onOwnThread { process.waitUntilExit() }
        return (process.terminationReason == .exit ? process.terminationStatus : nil, stderr)
    }

    /// A port already taken: one clear error and a non-zero exit at once, not a loop that ignores SIGTERM.
    @Test func aTakenPortIsOneClearErrorAndAnExit() async throws {
        let (takenPort, _, stopProvider) = try await provider()
        defer { stopProvider() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-taken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (ended, stderr) = try await Self.serveThatMustStop(
            ["serve", "--port", "\(takenPort)", "--db", dir.appendingPathComponent("herald.sqlite").path,
             "--keys-file", dir.appendingPathComponent("herald.keys").path, "--sms-log", dir.appendingPathComponent("sms.jsonl").path],
            in: packageRoot)
        #expect(ended == 1, "killed by the watchdog: \(stderr)")
        #expect(stderr.contains("error: cannot listen on 127.0.0.1:\(takenPort): the address is already in use"), "\(stderr)")
        #expect(!stderr.contains("trying again"))
    }

    /// A catalog `herald check` refuses (here a plural without `other`) is never served: the server names the error
    /// and exits, rather than refusing every French event of that type later.
    @Test func aCatalogWithAnErrorIsRefusedAtStart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-badcat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for folder in ["Templates", "Locales", "Events"] {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(folder), to: dir.appendingPathComponent(folder))
        }
        let fr = dir.appendingPathComponent("Locales/fr.yaml")
        let text = try String(contentsOf: fr, encoding: .utf8)
        try text.replacingOccurrences(of: " other {# réponses}", with: "").write(to: fr, atomically: true, encoding: .utf8)
        let (ended, stderr) = try await Self.serveThatMustStop(
            ["serve", "--port", "0", "--db", dir.appendingPathComponent("h.sqlite").path,
             "--keys-file", dir.appendingPathComponent("herald.keys").path],
            in: dir)
        #expect(ended == 1, "\(stderr)")
        #expect(stderr.contains("Locales/fr.yaml:22:5: error: messages.case.response_added: MessageFormat syntax: a plural or select has no 'other' variant at \"{responseCount, plural"), "\(stderr)")
        #expect(stderr.contains("has no 'other' variant"))
        #expect(stderr.contains("error: the catalog has 1 error (above)"))
        #expect(!stderr.contains("listening"))
    }

    @Test func sigtermFinishesWhatIsInFlightAndLosesNothing() async throws {
        let (providerPort, received, stopProvider) = try await provider()
        defer { stopProvider() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herald-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("herald.sqlite").path
        let (secret, key) = APIKey.make(name: "crm", role: .backend)

        let process = Process()
        process.executableURL = Self.binary
        process.currentDirectoryURL = packageRoot
        process.arguments = [
            "serve", "--port", "0", "--db", db, "--keys-file", dir.appendingPathComponent("none.keys").path,
            "--now", "2026-11-23T11:00:00Z", "--sms-url", "http://127.0.0.1:\(providerPort)/send", "--sms-method", "POST",
            "--sms-id-path", "id", "--concurrency", "4", "--sms-timeout", "30",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_API_KEYS"] = key.line.replacingOccurrences(of: " ", with: ":")
        environment["HERALD_LOG_LEVEL"] = "info"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        // The port is in the line that says it listens.
        var log = ""
        var port = 0
        let deadline = Date().addingTimeInterval(30)
        while port == 0 && Date() < deadline {
            let chunk = await onOwnThread { errors.fileHandleForReading.availableData }
            log += String(decoding: chunk, as: UTF8.self)
            if let match = log.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) { port = Int(match.1)! }
        }
        #expect(port > 0, "\(log)")
        let reader = errors.fileHandleForReading
        async let drained = onOwnThread { reader.readDataToEndOfFile() }

        // 200 events from 8 clients; SIGTERM once 60 are answered.
        let answered = Locked<[String: Int]>([:])
        let pid = process.processIdentifier
        let serverPort = port
        let session = URLSession(configuration: .ephemeral)
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    for n in 0..<25 {
                        let id = "sig-\(client)-\(n)"
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(serverPort)/v1/events")!)
                        request.httpMethod = "POST"
                        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
                        request.httpBody = Data(assigned(id: id, assignee: "u-\(client)-\(n)", phone: "09112\(String(format: "%05d", client * 100 + n))").utf8)
                        guard let (_, response) = try? await session.data(for: request) else { return }
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        let count = answered.update { $0[id] = status; return $0.count }
                        if count == 60 { kill(pid, SIGTERM) }
                    }
                }
            }
        }
        let exited = process
        await onOwnThread { exited.waitUntilExit() }
        log += String(decoding: await drained, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(log.suffix(2000))")
        #expect(log.contains("worker stopped"))

        // Every event answered 201 is stored with its message; nothing is left claimed; every message the
        // provider received is recorded as sent, under its own key.
        let store = try SQLiteStore(path: db)
        let created = answered.value.filter { $0.value == 201 }.keys
        #expect(created.count >= 60)
        for id in created {
            #expect(try await store.explain(event: id)?.messages.count == 1, "event \(id)")
        }
        let counts = try await store.messageCounts()
        #expect(counts["sending", default: 0] == 0, "\(counts)")
        // What the provider received is recorded: sent, or (an answer too slow on a loaded machine) a transient
        // attempt to retry under the same key. Nothing is sent that Herald does not know of.
        let keys = Set(received.value)
        #expect(counts["sent", default: 0] <= keys.count, "\(counts), provider got \(received.value.count)")
        for key in keys {
            let id = try #require(Int64(key.split(separator: "-").last ?? ""))
            #expect(try await store.attempts(message: id).isEmpty == false, "message \(id) reached the provider with no attempt recorded")
        }
        #expect(counts.values.reduce(0, +) == answered.value.filter { $0.value == 201 }.count)
    }
}
