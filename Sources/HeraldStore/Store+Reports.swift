import Foundation
import GRDB
import HeraldCore

/// Delivery reports, and one message with its attempts.
extension SQLiteStore {
    /// Applies a delivery report: the message it names takes the reported status. Every report is kept, matched
    /// or not.
    public func apply(_ report: DeliveryReport, now: Int64) async throws -> ReportResult {
        try await write { db in
            var row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, status FROM message WHERE providerId = ? ORDER BY id DESC LIMIT 1"),
                arguments: [report.reference])
            if row == nil, let id = heraldID(report.reference) {
                row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, status FROM message WHERE id = ?"), arguments: [id])
            }
            let id: Int64? = row?["id"]
            try db.execute(
                sql: "INSERT INTO report (reference, messageId, status, errorCode, receivedAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [report.reference, id, report.status.rawValue, report.errorCode, now])
            guard let row, let id else { return ReportResult(reference: report.reference) }
            let previous: MessageStatus = row["status"]
            let (status, ignored) = report.outcome(for: previous)
            if let ignored {
                return ReportResult(reference: report.reference, messageID: id, previous: previous, status: status, ignored: ignored)
            }
            let error = report.errorCode.map { "provider reported \(report.status.rawValue): \($0)" }
            try db.execute(
                sql: """
                    UPDATE message SET status = ?, finishedAt = ?, updatedAt = ?, leaseUntil = NULL,
                        lastError = COALESCE(?, lastError)
                    WHERE id = ?
                    """, arguments: [status, now, now, error, id])
            return ReportResult(reference: report.reference, messageID: id, previous: previous, status: status)
        }
    }

    /// `42`, or `herald-<instance>-42` of this database.
    func heraldID(_ reference: String) -> Int64? {
        let prefix = "herald-\(instance)-"
        return Int64(reference.hasPrefix(prefix) ? String(reference.dropFirst(prefix.count)) : reference)
    }

    /// A message's attempts, oldest first.
    public func attempts(message id: Int64) async throws -> [AttemptRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE messageId = ? ORDER BY id", arguments: [id]).map { row in
                AttemptRecord(
                    messageID: id, number: row["number"], sender: row["sender"],
                    startedAt: Instant(ms: row["startedAt"]), latencyMs: row["latencyMs"],
                    outcome: row["outcome"], httpStatus: row["httpStatus"], error: row["error"],
                    providerID: row["providerId"], result: row["result"],
                    nextAt: (row["nextAt"] as Int64?).map(Instant.init(ms:)))
            }
        }
    }

    public func reports(message id: Int64) async throws -> [ReceivedReport] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT reference, status, errorCode, receivedAt FROM report WHERE messageId = ? ORDER BY id", arguments: [id]
            ).map { row in
                ReceivedReport(
                    reference: row["reference"], status: row["status"], errorCode: row["errorCode"],
                    receivedAt: Instant(ms: row["receivedAt"]))
            }
        }
    }

    /// One message by id.
    public func message(id: Int64) async throws -> StoredMessage? {
        try await read { db in
            try StoredMessage.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id])
        }
    }
}
