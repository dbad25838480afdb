import Foundation
import GRDB
import HeraldCore

/// Writes plans for people named directly (campaign rows, `herald send`) inside one transaction.
public struct DirectWriter {
    let db: Database
    let now: Int64

    /// The planner's view of the store in this transaction.
    public var context: some PlanningContext { TransactionContext(db: db) }

    /// Stores a decision, its message and the contact it changed; returns the decision as stored (with its message id).
    @discardableResult
    public func write(_ plan: RecipientPlan, eventID: String) throws -> Decision {
        if let contact = plan.contact { try Store.save(db, contact: contact, now: now) }
        return try Store.insert(plan.decision, message: plan.message, eventID: eventID, db: db, now: now)
    }

    /// Stores a message written by hand (`herald send --to --text`, category `direct`) or a reply to a keyword
    /// (category `Consent.keywordReply`): no template, no quiet hours. A person who opted out of everything is
    /// still not sent a `direct` message; a keyword reply confirms their own STOP or START and goes.
    public func writeRaw(
        eventID: String, contact: String, phone: String, text: String, locale: String, encoding: String, units: Int,
        segments: Int, expiresAt: Int64, category: String = "direct"
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO message (eventId, template, contactId, phone, category, priority, locale, timeZone, text,
                    encoding, units, segments, status, createdAt, dueAt, expiresAt, updatedAt, notBefore)
                VALUES (?, '-', ?, ?, ?, 'urgent', ?, 'UTC', ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)
                """,
            arguments: [eventID, contact, phone, category, locale, text, encoding, units, segments, now, now, expiresAt, now, now])
        return db.lastInsertedRowID
    }

}

extension Store {
    /// Records the event standing for a direct send (a campaign, `herald send`); false when its id was already
    /// stored (nothing is changed then).
    @discardableResult
    public func register(_ event: Event, now: Int64) throws -> Bool {
        try writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)", arguments: [event.id]) == true {
                return false
            }
            try db.execute(
                sql: "INSERT INTO event (id, type, occurredAt, receivedAt, payload, rules) VALUES (?, ?, ?, ?, ?, '[]')",
                arguments: [event.id, event.type, event.occurred(receivedAt: now), now, event.json()])
            return true
        }
    }

    /// Runs `body` in one write transaction with a writer for direct plans. Nothing of it is stored if it throws.
    public func direct<T>(now: Int64, _ body: (DirectWriter) throws -> T) throws -> T {
        try writer.write { db in try body(DirectWriter(db: db, now: now)) }
    }
}

/// A read-only view for planning outside the write transaction (a campaign plans one batch while the previous
/// one is written).
public struct PlanningView {
    let db: Database

    public var context: some PlanningContext { TransactionContext(db: db) }

    /// Whether a decision for this contact was already stored for the event.
    public func decided(eventID: String, contact: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM decision WHERE eventId = ? AND contactId = ?)"),
            arguments: [eventID, contact]) ?? false
    }
}

extension Store {
    /// Runs `body` on a read-only snapshot: with WAL, alongside a write in progress.
    public func planning<T>(_ body: (PlanningView) throws -> T) throws -> T {
        try writer.read { db in try body(PlanningView(db: db)) }
    }

    /// Stores planned recipients in one transaction; returns the decisions as stored.
    @discardableResult
    public func write(_ plans: [RecipientPlan], eventID: String, now: Int64) throws -> [Decision] {
        try direct(now: now) { w in try plans.map { try w.write($0, eventID: eventID) } }
    }
}
