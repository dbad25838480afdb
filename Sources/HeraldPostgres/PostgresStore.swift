import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// Herald's durable state in PostgreSQL, for many Herald processes (servers and workers) on one database. The
/// database does the coordination: the outbox is claimed with `FOR UPDATE SKIP LOCKED` under leases, an event id
/// is stored once (its primary key; a batch that meets one stored meanwhile by another process is planned again),
/// each person's planning and preference changes are serialised by a transaction-scoped advisory lock on their id,
/// and the schema is migrated by one process at a time (a session advisory lock). Values are always sent as bind
/// parameters of the extended protocol, never written into the SQL.
public final class PostgresStore: Storage {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger: Logger
    /// `postgres://user@host:port/database`, without the password.
    public let location: String
    public let instance: String
    /// Half the pool: the rest serve reads, the worker and the listener.
    public let writers: Int
    /// Idle workers of this process, woken by `NOTIFY herald_due` from any process.
    let wakeups = Wakeups()
    /// The task listening on `herald_due`, started by the first worker that waits.
    private let listener = Locked<Task<Void, Never>?>(nil)

    /// The schema versions this build knows, in order; the database records each one applied (`herald_schema`).
    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "contacts, events, decisions, the outbox, attempts, reports, preference history", Schema.v1),
    ]

    /// Connects, and migrates the database to this build's schema (one process at a time). Throws
    /// `StoreError` for a database that cannot be reached, refuses the user, or was made by a newer Herald.
    public static func open(_ settings: PostgresSettings, logger: Logger = PostgresStore.defaultLogger) async throws
        -> PostgresStore
    {
        // One connection of its own first: a database that cannot be reached or refuses the user says so here (the
        // pool would only retry), and the migration's session lock lives on it.
        let instance: String
        do {
            let conn = try await PostgresConnection.connect(configuration: settings.connection, id: 0, logger: logger)
            do {
                instance = try await migrate(conn, settings: settings, logger: logger)
                try? await conn.close()
            } catch {
                try? await conn.close()
                throw error
            }
        } catch {
            throw StoreError.postgres(error, settings: settings)
        }
        let client = PostgresClient(configuration: settings.configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        return PostgresStore(
            client: client, runner: runner, logger: logger, location: settings.display, instance: instance,
            writers: max(1, settings.pool / 2))
    }

    /// Errors only: the pool's own notices (a lease asked for while it starts) are not an operator's business;
    /// failures reach the caller as thrown errors.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "herald.postgres")
        logger.logLevel = .error
        return logger
    }

    private init(
        client: PostgresClient, runner: Task<Void, Never>, logger: Logger, location: String, instance: String, writers: Int
    ) {
        self.writers = writers
        self.client = client
        self.runner = runner
        self.logger = logger
        self.location = location
        self.instance = instance
    }

    deinit { close() }

    /// Closes the store's connections.
    public func close() {
        listener.value?.cancel()
        runner.cancel()
    }

    /// Waits for a `NOTIFY herald_due` (sent when a transaction queues, releases or retries messages, by any
    /// process on the database), at most `seconds`.
    public func waitForDue(upTo seconds: Double) async {
        listener.update { task in
            guard task == nil else { return }
            task = Task { [client, wakeups, logger] in
                // One pooled connection listens for as long as the store lives; a lost connection is replaced.
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { conn in
                            try await conn.listen(on: Schema.wakeChannel) { notifications in
                                for try await _ in notifications { wakeups.signal() }
                            }
                        }
                    } catch {
                        logger.error("listening for due messages failed: \(error); trying again in 1 s")
                    }
                    wakeups.signal()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        await wakeups.wait(upTo: seconds)
    }

    /// Applies the migrations this database lacks, holding an advisory lock so that processes starting together
    /// migrate once. Returns the database's instance id.
    private static func migrate(_ conn: PostgresConnection, settings: PostgresSettings, logger: Logger) async throws -> String {
    // The lock belongs to this session (connection): released by the unlock below, or when it closes.
        try await conn.query("SELECT pg_advisory_lock(\(Schema.migrationLock))", logger: logger)
        do {
            try await conn.query(
                """
                CREATE TABLE IF NOT EXISTS herald_schema (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = try await conn.query("SELECT COALESCE(MAX(version), 0) FROM herald_schema", logger: logger)
                .collect().first.map { try $0.decode(Int.self) } ?? 0
            let known = migrations.last?.version ?? 0
            if applied > known {
                throw StoreError(
                    description: "the database \(settings.display) has schema version \(applied), newer than this "
                        + "herald knows (1 to \(known)); run a newer herald, or point --db at another database")
            }
            for migration in migrations where migration.version > applied {
                try await conn.withTransaction(logger: logger) { tx in
                    for statement in migration.sql { try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    try await tx.query(
                        "INSERT INTO herald_schema (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger)
                }
            }
            try await conn.query("SELECT pg_advisory_unlock(\(Schema.migrationLock))", logger: logger)
        } catch {
            _ = try? await conn.query("SELECT pg_advisory_unlock(\(Schema.migrationLock))", logger: logger)
            throw error
        }
        return try await conn.query("SELECT value FROM meta WHERE key = 'instance'", logger: logger)
            .collect().first.map { try $0.decode(String.self) } ?? "0"
    }

    /// Holds a session advisory lock named `name` on a connection of its own while `body` runs; nil when another
    /// session (process) holds it. PostgreSQL lets go when the connection closes, so a killed process frees it.
    public func exclusively<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T? {
        try await client.withConnection { conn in
            let taken = try await conn.rows(
                "SELECT pg_try_advisory_lock(hashtextextended(\(name), 1)) AS taken", logger: logger)[0]("taken", as: Bool.self)
            guard taken else { return nil }
            do {
                let value = try await body()
                _ = try? await conn.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 1))", logger: logger)
                return value
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 1))", logger: logger)
                throw error
            }
        }
    }

    // MARK: running statements

    /// One read on a pooled connection; its storage failures thrown as `StorageFault`.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do { return try await client.withConnection { conn in try await body(conn) } } catch {
            throw StorageFault(postgres: error) ?? PostgresFailure(error) ?? error
        }
    }

    /// One transaction, tried again (up to five times) when PostgreSQL ends it to resolve a deadlock or a
    /// serialization conflict between processes, or when the body asks (`Retry`); storage failures thrown as
    /// `StorageFault`.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await client.withConnection { conn in
                    try await conn.withTransaction(logger: logger) { tx in try await body(tx) }
                }
            } catch {
                let cause = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.commitError } ?? error
                if tries < 5, cause is Retry || Self.isConflict(cause) { continue }
                throw StorageFault(postgres: cause) ?? PostgresFailure(cause) ?? cause
            }
        }
    }

    /// Asks `transaction` to roll back and run the body again.
    struct Retry: Error {}

    static func isConflict(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

/// Rows read by column name.
struct Columns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    func callAsFunction<T: PostgresDecodable>(_ name: String, as: T.Type = T.self) throws -> T where T._DecodableType == T {
        try row[name].decode(T.self)
    }

    func optional<T: PostgresDecodable>(_ name: String, as: T.Type = T.self) throws -> T? where T._DecodableType == T {
        try row[name].decode(T?.self)
    }
}

extension PostgresConnection {
    /// Runs a query and reads every row by column name.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [Columns] {
        try await self.query(query, logger: logger).collect().map(Columns.init)
    }
}

/// `($1, $2, $3), ($4, $5, $6)`: the placeholders of a multi-row `VALUES`, for binds appended row by row.
func placeholders(rows: Int, columns: Int, from start: Int = 1) -> String {
    var parts: [String] = []
    parts.reserveCapacity(rows)
    var n = start
    for _ in 0..<rows {
        parts.append("(" + (0..<columns).map { i in "$\(n + i)" }.joined(separator: ", ") + ")")
        n += columns
    }
    return parts.joined(separator: ", ")
}
