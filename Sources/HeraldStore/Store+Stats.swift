import Foundation
import GRDB
import HeraldCore

extension SQLiteStore {
    /// Statistics of messages created at or after `since` and before `until` (epoch ms), optionally of one contact.
    public func statistics(since: Int64?, until: Int64?, contact: String?) async throws -> Statistics {
        try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let since { clauses.append("m.createdAt >= ?"); arguments += [since] }
            if let until { clauses.append("m.createdAt < ?"); arguments += [until] }
            if let contact { clauses.append("m.contactId = ?"); arguments += [contact] }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")

            let groups = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.template, e.type, m.status, m.locale, strftime('%Y-%m-%d', m.createdAt / 1000, 'unixepoch') AS day,
                        COUNT(*) AS n, SUM(m.segments) AS s
                    FROM message m JOIN event e ON e.id = m.eventId \(whereSQL)
                    GROUP BY m.template, e.type, m.status, m.locale, day
                    """, arguments: arguments
            ).map { row in
                Statistics.Group(
                    template: row["template"], eventType: row["type"], status: row["status"], locale: row["locale"],
                    day: row["day"], messages: row["n"], segments: row["s"])
            }
            let reported = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM message m \(whereSQL.isEmpty ? "WHERE" : whereSQL + " AND") m.sentAt IS NOT NULL AND m.status IN ('delivered', 'failed', 'expired')",
                arguments: arguments) ?? 0

            let attemptRow = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS total, SUM(a.outcome = 'accepted') AS accepted, SUM(a.outcome = 'transient') AS transient,
                        SUM(a.outcome = 'permanent') AS permanent, AVG(a.latencyMs) AS latency
                    FROM attempt a JOIN message m ON m.id = a.messageId \(whereSQL)
                    """, arguments: arguments)
            let attempts = Statistics.AttemptTotals(
                total: attemptRow?["total"] ?? 0, accepted: attemptRow?["accepted"] ?? 0,
                transient: attemptRow?["transient"] ?? 0, permanent: attemptRow?["permanent"] ?? 0,
                averageLatencyMs: attemptRow?["latency"])

            var dClauses: [String] = ["action = 'suppress'"]
            var dArguments: StatementArguments = []
            if let since { dClauses.append("decidedAt >= ?"); dArguments += [since] }
            if let until { dClauses.append("decidedAt < ?"); dArguments += [until] }
            if let contact { dClauses.append("contactId = ?"); dArguments += [contact] }
            var suppressed: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT reason, COUNT(*) AS n FROM decision WHERE \(dClauses.joined(separator: " AND ")) GROUP BY reason",
                arguments: dArguments)
            {
                suppressed[row["reason"] ?? "unknown"] = row["n"]
            }
            return Statistics(
                since: since, until: until, contact: contact, groups: groups, reported: reported, attempts: attempts,
                suppressed: suppressed)
        }
    }
}
