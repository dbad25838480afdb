import Foundation
import HeraldCore
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is, from a URL: `postgres://user[:password]@host[:port]/database`, with
/// `?sslmode=disable|prefer|require` (default `prefer`, as libpq) and `?pool=N` connections per process (default 10).
public struct PostgresSettings: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String
    public var pool: Int

    /// Whether `value` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    public init(url text: String) throws {
        guard Self.isURL(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw StoreError(description: "\(Self.redact(text)) is not a PostgreSQL URL (postgres://user@host:port/database)")
        }
        self.host = host
        port = url.port ?? 5432
        user = url.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = url.password.flatMap { $0.removingPercentEncoding }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? user : path
        var sslMode = "prefer"
        var pool = 10
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let v = item.value, ["disable", "prefer", "require"].contains(v) else {
                    throw StoreError(description: "sslmode must be disable, prefer or require (got \(item.value ?? "nothing"))")
                }
                sslMode = v
            case "pool":
                guard let v = item.value.flatMap(Int.init), (1...200).contains(v) else {
                    throw StoreError(description: "pool must be a number of connections from 1 to 200 (got \(item.value ?? "nothing"))")
                }
                pool = v
            default:
                throw StoreError(description: "unknown setting \(item.name) in the database URL (known: sslmode, pool)")
            }
        }
        self.sslMode = sslMode
        self.pool = pool
    }

    /// The URL without its password, for messages and logs.
    public var display: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    static func redact(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }

    /// One connection's settings (the migration's).
    var connection: PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try! NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try! NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", "herald")]
        return configuration
    }

    /// The pool's settings.
    var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = pool
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", "herald")]
        return configuration
    }
}

extension StoreError {
    /// Why a PostgreSQL database could not be opened, in the terms an operator fixes.
    static func postgres(_ error: any Error, settings: PostgresSettings) -> StoreError {
        if let error = error as? StoreError { return error }
        let at = settings.display
        if let error = error as? PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "28P01", "28000":
                return StoreError(description: "PostgreSQL at \(settings.host):\(settings.port) refused user \(settings.user): "
                    + (error.serverInfo?[.message] ?? "authentication failed") + " (check the user and password in --db)")
            case "3D000":
                return StoreError(description: "the database \(settings.database) does not exist on \(settings.host):\(settings.port) "
                    + "(create it: createdb \(settings.database))")
            case .some(let state):
                return StoreError(description: "PostgreSQL at \(at) failed: \(error.serverInfo?[.message] ?? "error") (SQLSTATE \(state))")
            case nil:
                break
            }
            if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .clientClosedConnection {
                let text = error.underlying.map { "\($0)" } ?? ""
                let cause = text.contains("refused") ? "connection refused"
                    : text.isEmpty || text.lowercased().contains("timeout") ? "no answer within 5 s" : text
                return StoreError(description: "cannot reach PostgreSQL at \(settings.host):\(settings.port) (\(cause)); "
                    + "is the server running and the address right?")
            }
            return StoreError(description: "cannot open PostgreSQL at \(at): \(error.code)")
        }
        return StoreError(description: "cannot open PostgreSQL at \(at): \(error)")
    }
}

extension StorageFault {
    /// The fault behind a PostgreSQL error, or nil when the error is not one of storage.
    init?(postgres error: any Error) {
        if let fault = error as? StorageFault {
            self = fault
            return
        }
        guard let error = error as? PSQLError else { return nil }
        switch error.serverInfo?[.sqlState] {
        case "53100": self.init(.full)
        case "25006": self.init(.readOnly)
        case "55P03", "57014": self.init(.busy)
        case .some(let state) where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57") || state.hasPrefix("58"):
            self.init(.unavailable, message: error.serverInfo?[.message])
        case .some: return nil
        case nil:
            self.init(.unavailable, message: "PostgreSQL connection: \(error.code)")
        }
    }
}

/// A statement PostgreSQL refused for a reason that is not one of storage (a constraint, a type): its message and
/// SQLSTATE, readable (postgres-nio's own description hides them).
public struct PostgresFailure: Error, Sendable, CustomStringConvertible {
    public var state: String
    public var message: String

    public var description: String { "PostgreSQL refused a statement: \(message) (SQLSTATE \(state))" }

    init?(_ error: any Error) {
        if let error = error as? PostgresDecodingError {
            state = "-"
            message = "a value could not be read: column \(error.columnName) of type \(error.postgresType) as \(error.targetType)"
            return
        }
        guard let error = error as? PSQLError else { return nil }
        state = error.serverInfo?[.sqlState] ?? "-"
        var text = error.serverInfo?[.message] ?? "\(error.code)"
        if let detail = error.serverInfo?[.detail] { text += "; \(detail)" }
        message = text
    }
}
