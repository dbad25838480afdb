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

            var byStatus: [String: Int] = [:]
            var byTemplate: [String: [String: Int]] = [:]
            var byEventType: [String: [String: Int]] = [:]
            var messages = 0
            var segments = 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.template, e.type, m.status, COUNT(*) AS n, SUM(m.segments) AS s
                    FROM message m JOIN event e ON e.id = m.eventId \(whereSQL)
                    GROUP BY m.template, e.type, m.status
                    """, arguments: arguments)
            {
                let status: String = row["status"]
                let n: Int = row["n"]
                messages += n
                segments += row["s"] as Int
                byStatus[status, default: 0] += n
                byTemplate[row["template"], default: [:]][status, default: 0] += n
                byEventType[row["type"], default: [:]][status, default: 0] += n
            }
            let handed = byStatus["sent", default: 0] + byStatus["delivered", default: 0]
            let bad = byStatus["failed", default: 0] + byStatus["expired", default: 0]
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
            let finished = handed + bad
            return Statistics(
                since: since.map(Instant.init(ms:)), until: until.map(Instant.init(ms:)),
                contact: contact, messages: messages,
                segments: segments, byStatus: byStatus, handedOver: handed, failedOrExpired: bad,
                successRate: finished == 0 ? nil : Double(handed) / Double(finished),
                failureRate: finished == 0 ? nil : Double(bad) / Double(finished),
                deliveredRate: reported == 0 ? nil : Double(byStatus["delivered", default: 0]) / Double(reported),
                attempts: attempts, suppressed: suppressed, byTemplate: byTemplate, byEventType: byEventType)
        }
    }
}
