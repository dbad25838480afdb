import Foundation
import GRDB
import HeraldCore

/// Why a resend was refused.
public struct ResendRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case notFound = "not_found", optedOut = "opted_out", notFinished = "not_finished" }
    public var kind: Kind
    public var description: String
}

/// An event as stored.
public struct StoredEvent: Sendable {
    public var id: String
    public var type: String
    public var occurredAt: Int64
    public var receivedAt: Int64
    /// The envelope: id, type, occurredAt, data.
    public var payload: JSONValue

    init(row: Row) {
        id = row["id"]
        type = row["type"]
        occurredAt = row["occurredAt"]
        receivedAt = row["receivedAt"]
        payload = (try? JSONValue.parse(Data((row["payload"] as String).utf8))) ?? .null
    }
}

/// How far a campaign has come: its decisions by action and reason.
public struct CampaignCounts: Sendable, Codable, Equatable {
    public var decided = 0
    public var queued = 0
    public var deferred = 0
    public var suppressed: [String: Int] = [:]
    public var segments = 0
    /// Its messages by status.
    public var messages: [String: Int] = [:]

    public init() {}
}

extension Store {
    /// A value of the `meta` table, made by `make` and stored the first time it is asked for.
    public func meta(_ key: String, orMake make: @Sendable () -> String) throws -> String {
        try writer.write { db in
            if let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) {
                return value
            }
            let value = make()
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
            return value
        }
    }

    /// Every contact with this E.164 number.
    public func contacts(phone: String) throws -> [Contact] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact WHERE phone = ? ORDER BY id", arguments: [phone])
                .map(Contact.init(row:))
        }
    }

    /// Gives back claims a stopping worker did not start: they wait again, due as before, their attempt not
    /// counted.
    public func release(_ ids: [Int64], now: Int64) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE message SET attempts = attempts - 1, leaseUntil = NULL, updatedAt = ?,
                        status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'queued' END
                    WHERE id = ? AND status = 'sending'
                    """)
            for id in ids { try statement.execute(arguments: [now, id]) }
        }
    }

    /// Queues a copy of a finished message (sent, delivered, failed or expired), due now and worth sending for
    /// `ttl` ms; refused when the person has since opted out of its category. Returns the new message.
    public func resend(_ id: Int64, now: Int64, ttl: Int64) throws -> StoredMessage {
        let result: Result<Int64, ResendRefusal> = try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id]) else {
                return .failure(ResendRefusal(kind: .notFound, description: "no message \(id)"))
            }
            let status: String = row["status"]
            guard ["sent", "delivered", "failed", "expired", "cancelled"].contains(status) else {
                return .failure(ResendRefusal(
                    kind: .notFinished,
                    description: "message \(id) is \(status): it is still on its way; resend it once it is sent, failed, expired or cancelled"))
            }
            let category: String = row["category"]
            if let contact = try Self.contact(db, id: row["contactId"]),
                contact.optedOutAll || contact.optedOutCategories.contains(category)
            {
                return .failure(ResendRefusal(
                    kind: .optedOut,
                    description: "the contact opted out of \(contact.optedOutAll ? "every message" : category); nothing is resent"))
            }
            try db.execute(
                sql: """
                    INSERT INTO message (eventId, template, contactId, phone, category, priority, locale, timeZone, text,
                        encoding, units, segments, status, createdAt, dueAt, expiresAt, updatedAt, resendOf, notBefore)
                    SELECT eventId, template, contactId, phone, category, priority, locale, timeZone, text, encoding, units,
                        segments, 'queued', ?, ?, ?, ?, id, ?
                    FROM message WHERE id = ?
                    """, arguments: [now, now, now + ttl, now, now, id])
            return .success(db.lastInsertedRowID)
        }
        let newID = try result.get()
        return try message(id: newID)!
    }

    /// A campaign's decisions so far.
    public func campaignCounts(_ eventID: String) throws -> CampaignCounts {
        try writer.read { db in
            var counts = CampaignCounts()
            for row in try Row.fetchAll(
                db, sql: "SELECT action, reason, COUNT(*) AS n FROM decision WHERE eventId = ? GROUP BY action, reason",
                arguments: [eventID])
            {
                let n: Int = row["n"]
                counts.decided += n
                switch row["action"] as String {
                case "send": counts.queued += n
                case "defer": counts.deferred += n
                default: counts.suppressed[row["reason"] ?? "unknown", default: 0] += n
                }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n, SUM(segments) AS s FROM message WHERE eventId = ? GROUP BY status",
                arguments: [eventID])
            {
                counts.messages[row["status"]] = row["n"]
                counts.segments += row["s"] as Int
            }
            return counts
        }
    }

    /// Events of a type, newest first.
    public func events(type: String, limit: Int = 100) throws -> [StoredEvent] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM event WHERE type = ? ORDER BY receivedAt DESC LIMIT ?", arguments: [type, limit]
            ).map(StoredEvent.init(row:))
        }
    }

    /// One event as stored, or nil.
    public func event(id: String) throws -> StoredEvent? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]).map(StoredEvent.init(row:))
        }
    }

    /// Segments of messages handed to the provider (sent or delivered).
    public func segmentsHandedOver() throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(segments), 0) FROM message WHERE status IN ('sent', 'delivered')") ?? 0
        }
    }
}

extension Store {
    /// A value of the `meta` table, or nil.
    public func meta(_ key: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// Sets a value of the `meta` table.
    public func setMeta(_ key: String, _ value: String) throws {
        try writer.write { db in
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }

    /// Whether an event with this id is stored.
    public func hasEvent(_ id: String) throws -> Bool {
        try writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)", arguments: [id]) ?? false
        }
    }
}
