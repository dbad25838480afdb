import Foundation
import HeraldTestSupport
import HeraldCore
import HeraldDelivery
@testable import HeraldPostgres
@testable import HeraldStore
import PostgresNIO
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What the scripted provider answers to one request.
enum Reply: Sendable {
    /// 200 with `{"id": ID}`.
    case ok(String)
    /// Any status and body, with extra headers.
    case status(Int, String, [String: String] = [:])
    /// Waits, then answers 200 (longer than the sender's timeout: a timeout).
    case slow(Double)
}

/// A request the provider received.
struct Received: Sendable, Equatable {
    var key: String
    var method: String
    var uri: String
    var body: String
    var authorization: String?
}

/// An SMS provider on loopback that answers as a test scripts it: a real HTTP server (Hummingbird), so the sender's
/// client, headers, timeouts and connection handling are the real ones.
final class ScriptedProvider: Sendable {
    let received = Locked<[Received]>([])
    let script: @Sendable (_ key: String, _ attempt: Int) async -> Reply
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts on a free port; `script` is asked for each request with the message's idempotency key and how
    /// many times that key was seen (from 1).
    init(script: @escaping @Sendable (String, Int) async -> Reply) async throws {
        self.script = script
        let received = self.received
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let attempt = received.update { list in
                list.append(Received(
                    key: key, method: request.method.rawValue, uri: request.uri.description, body: String(buffer: body),
                    authorization: request.headers[.authorization]))
                return list.filter { $0.key == key }.count
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            switch await script(key, attempt) {
            case .ok(let id):
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"id\": \"\(id)\"}")))
            case .status(let code, let text, let extra):
                for (k, v) in extra { headers[HTTPField.Name(k)!] = v }
                return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            case .slow(let seconds):
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"id\": \"late\"}")))
            }
        }
        router.post("/send", use: handler)
        router.get("/send", use: handler)
        let bound = Locked<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.update { $0 = channel.localAddress?.port } },
            logger: { var l = Logger(label: "provider"); l.logLevel = .critical; return l }())
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var waited = 0
        while bound.value == nil {
            guard waited < 500 else { throw DeliveryError("the scripted provider did not start") }
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        port = bound.value!
    }

    var url: String { "http://127.0.0.1:\(port)/send" }

    func stop() { task.cancel() }

    var requests: [Received] { received.value }
}

let packageRoot = TestPaths.packageRoot

/// Epoch milliseconds of an ISO 8601 date-time with an offset.
func ms(_ iso: String) -> Int64 { Int64(ParameterValue.epochMilliseconds(iso, timeZone: "UTC")!) }

/// A fresh database (SQLite, or PostgreSQL when the run has a cluster) with messages put straight into the outbox.
struct Outbox {
    let kind: StoreKind
    let store: any Storage
    let location: String

    init(_ kind: StoreKind = .sqlite) async throws {
        self.kind = kind
        location = try await kind.freshLocation()
        switch kind {
        case .sqlite: store = try SQLiteStore(path: location)
        case .postgres: store = try await PostgresStore.open(PostgresSettings(url: location))
        }
    }

    /// SQL run on the database behind the store's back (another program changing a row), in each one's dialect.
    func execute(sqlite: String, postgres: String) async throws {
        switch kind {
        case .sqlite: try await (store as! SQLiteStore).writer.write { db in try db.execute(sql: sqlite) }
        case .postgres: try await (store as! PostgresStore).client.query(PostgresQuery(unsafeSQL: postgres))
        }
    }

    /// How many rows a table holds (one the `Storage` protocol does not list, such as `report`).
    func rows(of table: String) async throws -> Int {
        switch kind {
        case .sqlite:
            return try await (store as! SQLiteStore).writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
        case .postgres:
            let rows = try await (store as! PostgresStore).client.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"))
            for try await row in rows { return try row.decode(Int.self) }
            return 0
        }
    }

    /// Stores `count` queued messages created at `now`, alive for `ttl` ms; returns their ids.
    func add(_ count: Int = 1, now: Int64, ttl: Int64 = 3_600_000, text: String = "Test message") async throws -> [Int64] {
        let event = Event(id: "t-\(UUID().uuidString)", type: "herald.send", occurredAt: now, data: .object([:]))
        try await store.register(event, now: now)
        var ids: [Int64] = []
        for i in 0..<count {
            ids.append(try await store.queue(
                RawMessage(
                    eventID: event.id, contact: "c-\(i)", phone: "+25191123\(String(format: "%04d", i))", text: text,
                    locale: "en", encoding: "GSM-7", units: text.count, segments: 1, expiresAt: now + ttl),
                now: now))
        }
        return ids
    }

    func status(_ id: Int64) async throws -> String { try await store.message(id: id)!.status.rawValue }

    func statuses() async throws -> [String: Int] { try await store.messageCounts() }
}
