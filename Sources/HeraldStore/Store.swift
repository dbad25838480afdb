import Foundation
import GRDB
import HeraldCore

/// Herald's durable state in SQLite (WAL), the embedded default `Storage`: contacts and their preferences,
/// events, decisions and the outbox. No call blocks the caller's thread: reads use GRDB's async reads, and
/// transactions run on a thread of the store's own (`Lane`), where the renderer's per-thread state stays warm.
public struct SQLiteStore: Storage {
    /// The database; a pool (WAL, concurrent readers) for files, a queue for in-memory stores.
    let writer: any DatabaseWriter
    /// The file, or `:memory:`.
    public let path: String
    public var location: String { path }
    /// The threads its transactions and planning reads run on (`Lane`).
    let lanes = Lanes()
    /// This database's random id, made at creation: it makes idempotency keys (`herald-<instance>-<message id>`)
    /// unique across databases, so a provider never drops a message of a new database as a resend.
    public let instance: String

    /// Opens (creating when missing) the database at `path` and migrates it to the current schema. `bulk` is for
    /// commands that write many batches in a row (`herald event FILE`, campaigns): the WAL is checkpointed every
    /// 8,000 pages (32 MB) instead of 1,000, so the pages many batches touch (the indexes by contact, written at
    /// random places) are copied to the database once, not each time; a server keeps the short checkpoints, whose
    /// pauses stay small.
    public init(path: String, bulk: Bool = false) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: a committed transaction survives a crash of the machine, not only of the process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if bulk { try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000") }
            // The writer keeps 16 MB of pages (SQLite's default is 2 MB): planning reads contacts and recent
            // messages at random places of a growing file. Readers keep the default.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -16384") }
        }
        configuration.busyMode = .timeout(10)
        if path == ":memory:" {
            writer = try DatabaseQueue(configuration: configuration)
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                throw StoreError.noDirectory(directory)
            }
            let folder = directory.isEmpty ? "." : directory
            // Checked before opening: SQLite opens a WAL database on a read-only file system when its side
            // files happen to exist, and only the first write would fail.
            if let unwritable = StoreError.unwritable(path, directory: folder) { throw unwritable }
            do { writer = try DatabasePool(path: path, configuration: configuration) } catch {
                throw StoreError.cannotOpen(path, directory: folder, error)
            }
        }
        self.path = path
        try Self.migrator.migrate(writer)
        instance = try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance'") } ?? "0"
    }

    /// The schema, one migration per step, registered by name.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: contacts, events, decisions, outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE contact (
                        id TEXT PRIMARY KEY NOT NULL,
                        phone TEXT,
                        name TEXT,
                        language TEXT,
                        languageChosen INTEGER NOT NULL DEFAULT 0,
                        timeZone TEXT,
                        timeZoneChosen INTEGER NOT NULL DEFAULT 0,
                        region TEXT,
                        optedOutAll INTEGER NOT NULL DEFAULT 0,
                        optedOutCategories TEXT NOT NULL DEFAULT '',
                        quietHours TEXT,
                        createdAt INTEGER NOT NULL,
                        updatedAt INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE event (
                        id TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        occurredAt INTEGER NOT NULL,
                        receivedAt INTEGER NOT NULL,
                        payload TEXT NOT NULL,
                        rules TEXT NOT NULL
                    );
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        eventId TEXT NOT NULL REFERENCES event(id),
                        template TEXT NOT NULL,
                        contactId TEXT NOT NULL,
                        phone TEXT NOT NULL,
                        category TEXT NOT NULL,
                        priority TEXT NOT NULL,
                        locale TEXT NOT NULL,
                        timeZone TEXT NOT NULL,
                        text TEXT NOT NULL,
                        encoding TEXT NOT NULL,
                        units INTEGER NOT NULL,
                        segments INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        createdAt INTEGER NOT NULL,
                        dueAt INTEGER NOT NULL,
                        expiresAt INTEGER NOT NULL,
                        updatedAt INTEGER NOT NULL
                    );
                    CREATE INDEX message_due ON message(status, dueAt);
                    CREATE INDEX message_contact ON message(contactId, createdAt);
                    CREATE INDEX message_event ON message(eventId);
                    CREATE TABLE decision (
                        id INTEGER PRIMARY KEY,
                        eventId TEXT NOT NULL REFERENCES event(id),
                        template TEXT NOT NULL,
                        contactId TEXT NOT NULL,
                        action TEXT NOT NULL,
                        reason TEXT,
                        messageId INTEGER REFERENCES message(id),
                        decidedAt INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX decision_event ON decision(eventId);
                    CREATE INDEX decision_contact ON decision(contactId);
                    """)
        }
        migrator.registerMigration("v2: delivery attempts, provider ids, delivery reports") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE message ADD COLUMN leaseUntil INTEGER;
                    ALTER TABLE message ADD COLUMN providerId TEXT;
                    ALTER TABLE message ADD COLUMN lastError TEXT;
                    ALTER TABLE message ADD COLUMN sentAt INTEGER;
                    ALTER TABLE message ADD COLUMN finishedAt INTEGER;
                    CREATE INDEX message_provider ON message(providerId) WHERE providerId IS NOT NULL;
                    CREATE INDEX message_created ON message(createdAt);
                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY,
                        messageId INTEGER NOT NULL REFERENCES message(id),
                        number INTEGER NOT NULL,
                        sender TEXT NOT NULL,
                        startedAt INTEGER NOT NULL,
                        latencyMs INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        httpStatus INTEGER,
                        error TEXT,
                        providerId TEXT,
                        result TEXT NOT NULL,
                        nextAt INTEGER
                    );
                    CREATE INDEX attempt_message ON attempt(messageId);
                    CREATE TABLE report (
                        id INTEGER PRIMARY KEY,
                        reference TEXT NOT NULL,
                        messageId INTEGER,
                        status TEXT NOT NULL,
                        errorCode TEXT,
                        receivedAt INTEGER NOT NULL
                    );
                    CREATE INDEX report_message ON report(messageId);
                    """)
        }
        migrator.registerMigration("v3: database instance id") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(4))));
                    """)
        }
        migrator.registerMigration("v4: resends, contacts by phone") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN resendOf INTEGER REFERENCES message(id);
                    CREATE INDEX contact_phone ON contact(phone);
                    """)
        }
        migrator.registerMigration("v5: consent at hand-over: the earliest a message may go, why it ended as it did") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN notBefore INTEGER;
                    ALTER TABLE message ADD COLUMN reason TEXT;
                    UPDATE message SET notBefore = CASE WHEN status = 'deferred' THEN dueAt ELSE createdAt END;
                    """)
        }
        migrator.registerMigration("v6: the history of each person's preferences") { db in
            try db.execute(
                sql: """
                    CREATE TABLE preferenceChange (
                        id INTEGER PRIMARY KEY,
                        contactId TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        changes TEXT NOT NULL
                    );
                    CREATE INDEX preferenceChange_contact ON preferenceChange(contactId, at);
                    """)
        }
        return migrator
    }
}

extension StoreError {
    static func noDirectory(_ path: String) -> StoreError {
        StoreError(description: "the database's folder \(path) does not exist")
    }

    /// A database Herald could read but not write: a read-only file system or file.
    static func unwritable(_ path: String, directory: String) -> StoreError? {
        // access(2) answers EROFS for a read-only file system whoever asks, root included.
        if access(directory, W_OK) != 0, errno == EROFS {
            return StoreError(description: "the file system of \(directory) is read-only; the database needs to write there")
        }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            return StoreError(description: "the database file is read-only; make it writable")
        }
        return nil
    }

    /// Why a database Herald may write could not be opened (`unwritable` is asked first), in the terms an
    /// operator fixes: a file that is not a database, a storage fault, or SQLite's own words.
    static func cannotOpen(_ path: String, directory: String, _ error: any Error) -> StoreError {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
            return StoreError(description: "the file is not a SQLite database (or is damaged); it was left as it is")
        }
        if let fault = StorageFault(sqlite: error) { return StoreError(description: fault.detail) }
        return StoreError(description: "\(error)")
    }
}
