import Foundation
import HeraldTestSupport
import HTTPTypes
import HeraldCore
import HeraldDelivery
import HeraldServer
@testable import HeraldStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

let packageRoot = TestPaths.packageRoot

/// Epoch milliseconds of an ISO 8601 date-time with an offset.
func ms(_ iso: String) -> Int64 { Int64(ParameterValue.epochMilliseconds(iso, timeZone: "UTC")!) }

/// A server over a fresh SQLite file, the shipped catalog, one key per role and a clock the test moves.
final class ServerHarness: Sendable {
    let store: SQLiteStore
    let path: String
    let secrets: [Role: String]
    let now: Locked<Int64>
    let settings: ServerSettings

    /// `catalog`: the folder holding `Templates/` and `Locales/` (the shipped ones by default).
    init(now start: String = "2026-11-23T11:00:00Z", worker: Bool = false, catalog root: URL = packageRoot, studioWrites: Bool = false) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-server-\(UUID().uuidString).sqlite").path
        store = try SQLiteStore(path: path)
        var secrets: [Role: String] = [:]
        var keys: [APIKey] = []
        for role in Role.allCases {
            let (secret, key) = APIKey.make(name: "test-\(role.rawValue)", role: role)
            secrets[role] = secret
            keys.append(key)
        }
        self.secrets = secrets
        let now = Locked(ms(start))
        self.now = now
        let templates = root.appendingPathComponent("Templates").path
        let locales = root.appendingPathComponent("Locales").path
        var settings = ServerSettings(
            catalog: Catalog.load(templates: templates, locales: locales), templatesPath: templates, localesPath: locales,
            eventsPath: nil, policy: PolicyConfig(), keys: Keyring(keys), tokenSecret: Array("test-secret-0123456789".utf8),
            clock: { now.value })
        settings.maxBody = 64 * 1024
        settings.studioWrites = studioWrites
        self.settings = settings
    }

    func application() -> some ApplicationProtocol {
        var logger = Logger(label: "herald-test")
        logger.logLevel = .warning
        return HeraldServer.application(settings: settings, store: store, logger: logger).app
    }

    var routes: [RouteInfo] { HeraldServer.application(settings: settings, store: store, logger: Logger(label: "t")).routes }
    var registered: [String] { HeraldServer.application(settings: settings, store: store, logger: Logger(label: "t")).registered }

    func headers(_ role: Role?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role { fields[.authorization] = "Bearer \(secrets[role]!)" }
        return fields
    }

    func headers(token: String) -> HTTPFields { [.contentType: "application/json", .authorization: "Bearer \(token)"] }

    func count(_ sql: String) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }
}

import GRDB

extension TestClientProtocol {
    /// Sends JSON text with a role's key and returns the status and the decoded body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields
    ) async throws -> (status: Int, json: [String: Any], text: String, headers: HTTPFields) {
        try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return (Int(response.status.code), json, text, response.headers)
        }
    }
}

/// A `case.assigned` event for one assignee.
func assigned(
    id: String, at occurredAt: String = "2026-11-23T11:00:00Z", assignee: String = "u-17", phone: String = "0911234567",
    language: String? = nil
) -> String {
    """
    {"id": "\(id)", "type": "case.assigned", "occurredAt": "\(occurredAt)",
     "data": {"case": {"number": "CASE-9", "title": "Printer"},
              "assignee": {"id": "\(assignee)", "phone": "\(phone)"\(language.map { ", \"language\": \"\($0)\"" } ?? "")},
              "actor": {"id": "u-3"}}}
    """
}

/// A `service.completed` event for a customer of the garage in Tunisia.
func serviceCompleted(id: String, customer: String = "c-1", phone: String = "20123456", language: String = "fr") -> String {
    """
    {"id": "\(id)", "type": "service.completed", "occurredAt": "2026-11-23T11:00:00Z",
     "data": {"service": {"id": "S-1"}, "customer": {"id": "\(customer)", "phone": "\(phone)", "region": "TN", "firstName": "Amine",
                           "language": "\(language)", "timeZone": "Africa/Tunis"},
              "car": {"make": "Peugeot", "model": "208"}}}
    """
}
