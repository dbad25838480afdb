import Foundation
import GRDB
import HeraldCore

extension SQLiteStore {
    /// Messages newest first.
    public func messages(_ filter: MessageFilter) async throws -> [StoredMessage] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let s = filter.status { clauses.append("status = ?"); arguments.append(s) }
        if let c = filter.contact { clauses.append("contactId = ?"); arguments.append(c) }
        if let t = filter.template { clauses.append("template = ?"); arguments.append(t) }
        if let e = filter.event { clauses.append("eventId = ?"); arguments.append(e) }
        if let t = filter.since { clauses.append("createdAt >= ?"); arguments.append(t) }
        if let t = filter.until { clauses.append("createdAt < ?"); arguments.append(t) }
        if let b = filter.before { clauses.append("id < ?"); arguments.append(b) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments.append(filter.limit)
        let sql = "SELECT * FROM message \(whereSQL) ORDER BY id DESC LIMIT ?"
        let values = StatementArguments(arguments)
        return try await read { db in
            try StoredMessage.fetchAll(db, sql: sql, arguments: values)
        }
    }

    public func totals() async throws -> StorageTotals {
        try await read { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            return StorageTotals(
                events: try count("event"), decisions: try count("decision"), messages: try count("message"),
                contacts: try count("contact"))
        }
    }

    /// Counts of messages by status.
    public func messageCounts() async throws -> [String: Int] {
        try await read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM message GROUP BY status") {
                out[row["status"]] = row["n"]
            }
            return out
        }
    }

    /// The record of an event, optionally only what concerns one contact; nil when the event is unknown.
    public func explain(event eventID: String, contact: String?) async throws -> Explanation? {
        try await read { db -> Explanation? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                return nil
            }
            let decoder = JSONDecoder()
            let payload = try decoder.decode(JSONValue.self, from: Data((row["payload"] as String).utf8))
            let rules = try decoder.decode([RuleTrace].self, from: Data((row["rules"] as String).utf8))
            var decisions = try String.fetchAll(
                db, sql: "SELECT body FROM decision WHERE eventId = ? ORDER BY id", arguments: [eventID]
            ).map { try decoder.decode(Decision.self, from: Data($0.utf8)) }
            var messages = try StoredMessage.fetchAll(
                db, sql: "SELECT * FROM message WHERE eventId = ? ORDER BY id", arguments: [eventID])
            if let contact {
                decisions = decisions.filter { $0.contact == contact }
                messages = messages.filter { $0.contact == contact }
            }
            return Explanation(
                event: eventID, type: row["type"], occurredAt: Instant(ms: row["occurredAt"]),
                occurredAtGiven: payload["occurredAt"] != nil, receivedAt: Instant(ms: row["receivedAt"]), payload: payload, rules: rules,
                decisions: decisions, messages: messages)
        }
    }

    /// The ids of the latest events that reached a contact, newest first.
    public func events(forContact contact: String, window: TimeWindow, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT eventId FROM decision WHERE contactId = ? AND decidedAt >= ? AND decidedAt < ?
                    GROUP BY eventId ORDER BY MAX(id) DESC LIMIT ?
                    """,
                arguments: [contact, window.since ?? Int64.min, window.until ?? Int64.max, limit])
        }
    }
}
