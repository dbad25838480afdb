import Foundation
import GRDB
import HeraldCore

/// The planner's view of the store, inside the ingest transaction.
struct TransactionContext: PlanningContext {
    let db: Database

    func contact(id: String) throws -> Contact? { try SQLiteStore.contact(db, id: id) }

    func messageCount(contact: String, since: Int64) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM message WHERE contactId = ? AND createdAt >= ?"),
            arguments: [contact, since]) ?? 0
    }

    func decided(eventID: String, contact: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM decision WHERE eventId = ? AND contactId = ?)"),
            arguments: [eventID, contact]) ?? false
    }
}

extension SQLiteStore {
    /// Plans and stores events in one transaction: each event's row, its decisions, its outbox messages and the
    /// contacts it changed. An event that fails planning is reported and leaves nothing; the others are stored.
    /// When this returns, every decision is on disk.
    public func ingest(_ events: [Event], planner: Planner, now: Int64) async throws -> [Result<IngestResult, EventError>] {
        try await write { db in
            var out: [Result<IngestResult, EventError>] = []
            out.reserveCapacity(events.count)
            for event in events {
                if let stored = try Self.storedResult(db, eventID: event.id) {
                    out.append(.success(stored))
                    continue
                }
                let plan: EventPlan
                do { plan = try planner.plan(event, now: now, context: TransactionContext(db: db)) } catch let error as EventError {
                    out.append(.failure(error))
                    continue
                }
                out.append(.success(try Self.write(plan, db: db, now: now)))
            }
            return out
        }
    }

    static func write(_ plan: EventPlan, db: Database, now: Int64) throws -> IngestResult {
        let event = plan.event
        try db.cachedStatement(
            sql: "INSERT INTO event (id, type, occurredAt, receivedAt, payload, rules) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            event.id, event.type, event.occurred(receivedAt: now), now, event.json(),
            plan.rules.serialized,
        ])
        for contact in plan.contacts { try save(db, contact: contact, now: now) }
        var decisions = plan.decisions
        for index in decisions.indices {
            decisions[index] = try insert(decisions[index], message: plan.messages[index], eventID: event.id, db: db, now: now)
        }
        return IngestResult(event: event.id, type: event.type, duplicate: false, decisions: decisions)
    }

    /// Writes a decision and its outbox message (if any); returns the decision with its message id.
    static func insert(_ decision: Decision, message: OutboxMessage?, eventID: String, db: Database, now: Int64) throws
        -> Decision
    {
        var d = decision
        if let m = message {
            let r = m.rendered
            try db.cachedStatement(
                sql: """
                    INSERT INTO message (eventId, template, contactId, phone, category, priority, locale, timeZone, text,
                        encoding, units, segments, status, createdAt, dueAt, expiresAt, updatedAt, notBefore, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                eventID, m.template, m.contact, m.phone, m.category, m.priority.rawValue, r.messageLocale, r.timeZone,
                r.text, r.encoding.rawValue, r.units, r.segments, m.status.rawValue, now, m.dueAt, m.expiresAt, now,
                m.notBefore, m.dueAt > m.notBefore ? Consent.Reason.quietHours.rawValue : nil,
            ])
            d.messageID = db.lastInsertedRowID
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO decision (eventId, template, contactId, action, reason, messageId, decidedAt, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            eventID, d.template, d.contact, d.action.rawValue, d.reason?.rawValue, d.messageID, now, d.serialized,
        ])
        return d
    }

    static func storedResult(_ db: Database, eventID: String) throws -> IngestResult? {
        guard let type = try String.fetchOne(db.cachedStatement(sql: "SELECT type FROM event WHERE id = ?"), arguments: [eventID])
        else { return nil }
        let bodies = try String.fetchAll(
            db.cachedStatement(sql: "SELECT body FROM decision WHERE eventId = ? ORDER BY id"), arguments: [eventID])
        let decoder = JSONDecoder()
        let decisions = try bodies.map { try decoder.decode(Decision.self, from: Data($0.utf8)) }
        return IngestResult(event: eventID, type: type, duplicate: true, decisions: decisions)
    }
}
