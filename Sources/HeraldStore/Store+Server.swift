import Foundation
import GRDB
import HeraldCore

extension SQLiteStore {
    /// A value of the `meta` table, made by `make` and stored the first time it is asked for.
    public func meta(_ key: String, orMake make: @escaping @Sendable () -> String) async throws -> String {
        try await write { db in
            if let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) {
                return value
            }
            let value = make()
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
            return value
        }
    }

    /// Every contact with this E.164 number.
    public func contacts(phone: String) async throws -> [Contact] {
        try await read { db in
            try Contact.fetchAll(db, sql: "SELECT * FROM contact WHERE phone = ? ORDER BY id", arguments: [phone])
        }
    }

    /// Gives back claims a stopping worker did not start: they wait again, due as before, their attempt not
    /// counted.
    public func release(_ ids: [Int64], now: Int64) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE message SET attempts = attempts - 1, leaseUntil = NULL, updatedAt = ?,
                        status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'queued' END
                    WHERE id = ? AND status = 'sending'
                    """)
            for id in ids { try statement.execute(arguments: [now, id]) }
        }
    }

    /// Extends the leases of claims still held (still `sending` under the attempt they were claimed for).
    public func renew(_ claims: [(id: Int64, attempt: Int)], until: Int64, now: Int64) async throws -> Set<Int64> {
        guard !claims.isEmpty else { return [] }
        return try await write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE message SET leaseUntil = ?, updatedAt = ? WHERE id = ? AND attempts = ? AND status = 'sending'")
            var held = Set<Int64>()
            for claim in claims {
                try statement.execute(arguments: [until, now, claim.id, claim.attempt])
                if db.changesCount > 0 { held.insert(claim.id) }
            }
            return held
        }
    }

    /// Queues a copy of a finished message (sent, delivered, failed or expired), due now and worth sending for
    /// `ttl` ms; refused when the person has since opted out of its category. Returns the new message.
    public func resend(_ id: Int64, now: Int64, ttl: Int64) async throws -> StoredMessage {
        let result: Result<Int64, ResendRefusal> = try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT status, category, contactId FROM message WHERE id = ?", arguments: [id])
            else { return .failure(.notFound(id)) }
            let contact = try Self.contact(db, id: row["contactId"])
            if let refusal = ResendRefusal.check(id: id, status: row["status"], category: row["category"], contact: contact) {
                return .failure(refusal)
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
        return try await message(id: newID)!
    }

    /// A campaign's decisions so far.
    public func campaignCounts(_ eventID: String) async throws -> CampaignCounts {
        try await read { db in
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
    public func events(type: String, limit: Int) async throws -> [StoredEvent] {
        try await read { db in
            try StoredEvent.fetchAll(
                db, sql: "SELECT * FROM event WHERE type = ? ORDER BY receivedAt DESC LIMIT ?", arguments: [type, limit])
        }
    }

    /// One event as stored, or nil.
    public func event(id: String) async throws -> StoredEvent? {
        try await read { db in
            try StoredEvent.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id])
        }
    }

    /// Segments of messages handed to the provider (sent or delivered).
    public func segmentsHandedOver() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(segments), 0) FROM message WHERE status IN ('sent', 'delivered')") ?? 0
        }
    }
}

extension SQLiteStore {
    /// A value of the `meta` table, or nil.
    public func meta(_ key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// Sets a value of the `meta` table.
    public func setMeta(_ key: String, _ value: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }

    /// Whether an event with this id is stored.
    public func hasEvent(_ id: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)", arguments: [id]) ?? false
        }
    }
}
