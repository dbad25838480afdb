import Foundation
import Logging
import PostgresNIO

/// The throw-away PostgreSQL cluster `scripts/with-postgres` started for this test run, if any.
public enum TestPostgres {
    /// The cluster's URL (`HERALD_TEST_POSTGRES_URL`), or nil when the tests run without one.
    public static let url: String? = {
        let value = ProcessInfo.processInfo.environment["HERALD_TEST_POSTGRES_URL"] ?? ""
        if value.isEmpty {
            FileHandle.standardError.write(Data(
                "PostgreSQL tests skipped: HERALD_TEST_POSTGRES_URL is not set (run the tests through scripts/with-postgres)\n".utf8))
            return nil
        }
        return value
    }()

    /// A new, empty database on the cluster; returns its URL.
    public static func freshDatabase() async throws -> String {
        guard let url, var parts = URLComponents(string: url) else {
            throw TestPostgresError(description: "no PostgreSQL cluster for this run")
        }
        let name = "herald_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await execute("CREATE DATABASE \(name)", on: url)
        parts.path = "/" + name
        return parts.string!
    }

    /// Runs one statement on the database at `url` (as a program other than Herald would).
    public static func execute(_ sql: String, on url: String) async throws {
        guard let parts = URLComponents(string: url), let host = parts.host else {
            throw TestPostgresError(description: "not a PostgreSQL URL: \(url)")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
            database: String(parts.path.dropFirst()), tls: .disable)
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "test.postgres"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
            group.cancelAll()
        }
    }

    /// The cluster's URL with another user, password or database.
    public static func url(user: String? = nil, password: String? = nil, database: String? = nil) -> String? {
        guard let url, var parts = URLComponents(string: url) else { return nil }
        if let user { parts.user = user }
        if let password { parts.password = password }
        if let database { parts.path = "/" + database }
        return parts.string
    }
}

/// The stores a test runs on: SQLite always, PostgreSQL when the run has a cluster (`scripts/with-postgres`).
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public static let available: [StoreKind] = TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres]

    public var description: String { rawValue }

    /// A new, empty database: a file name, or a new database's URL (`--db` takes either).
    public func freshLocation() async throws -> String {
        switch self {
        case .sqlite:
            FileManager.default.temporaryDirectory.appendingPathComponent("herald-\(UUID().uuidString).sqlite").path
        case .postgres: try await TestPostgres.freshDatabase()
        }
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
