import Foundation
import GRDB
import HeraldCore

extension SQLiteStore {
    @discardableResult
    public func register(_ event: Event, now: Int64) async throws -> Bool {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)", arguments: [event.id]) == true {
                return false
            }
            try db.execute(
                sql: "INSERT INTO event (id, type, occurredAt, receivedAt, payload, rules) VALUES (?, ?, ?, ?, ?, '[]')",
                arguments: [event.id, event.type, event.occurred(receivedAt: now), now, event.json()])
            return true
        }
    }

    /// On a read-only snapshot: with WAL, alongside a write in progress (a campaign plans one batch while the
    /// previous one is written).
    public func planning<T: Sendable>(_ body: @escaping @Sendable (any PlanningContext) throws -> T) async throws -> T {
        try await planningRead { db in try body(TransactionContext(db: db)) }
    }

    @discardableResult
    public func write(_ plans: [RecipientPlan], eventID: String, now: Int64) async throws -> [Decision] {
        try await write { db in
            try plans.map { plan in
                if let contact = plan.contact { try Self.save(db, contact: contact, now: now) }
                return try Self.insert(plan.decision, message: plan.message, eventID: eventID, db: db, now: now)
            }
        }
    }

    /// A person who opted out of everything is still not sent a `direct` message (the review at hand-over
    /// cancels it); a keyword reply confirms their own STOP or START and goes.
    public func queue(_ m: RawMessage, now: Int64) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO message (eventId, template, contactId, phone, category, priority, locale, timeZone, text,
                        encoding, units, segments, status, createdAt, dueAt, expiresAt, updatedAt, notBefore)
                    VALUES (?, '-', ?, ?, ?, 'urgent', ?, 'UTC', ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    m.eventID, m.contact, m.phone, m.category, m.locale, m.text, m.encoding, m.units, m.segments, now, now,
                    m.expiresAt, now, now,
                ])
            return db.lastInsertedRowID
        }
    }
}
