import Foundation
import GRDB
import HeraldCore

extension MessageStatus {
    static let waitingSQL = "('queued', 'deferred', 'retry', 'disabled')"
}

extension SQLiteStore {
    /// Ends as `expired` every waiting message whose time to live ran out by `now`, and every claim that ran out
    /// past it. Returns how many.
    @discardableResult
    public func expireDue(now: Int64) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE message SET status = 'expired', finishedAt = ?, updatedAt = ?, leaseUntil = NULL,
                        lastError = COALESCE(lastError || '; ', '') || 'expired before it could be sent'
                    WHERE ((status IN \(MessageStatus.waitingSQL) AND dueAt <= ?)
                        OR (status = 'sending' AND leaseUntil <= ?)) AND expiresAt <= ?
                    """, arguments: [now, now, now, now, now])
            return db.changesCount
        }
    }

    /// Holds every due message as `disabled` (sending is switched off). Returns how many.
    @discardableResult
    public func holdDue(now: Int64) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE message SET status = 'disabled', updatedAt = ?
                    WHERE status IN ('queued', 'deferred', 'retry') AND dueAt <= ?
                    """, arguments: [now, now])
            return db.changesCount
        }
    }

    /// Claims up to `limit` due messages for sending until `now + lease`, oldest due first: waiting messages whose
    /// time has come, and claims a stopped worker left behind. Each is first reviewed against its person's current
    /// preferences (`Consent.review`) in this same transaction: what they opted out of is cancelled, what their
    /// quiet hours now cover is deferred, what is too late expires, and what goes takes their current number. The
    /// attempt count goes up as the claim is written. `only` limits the claim to these messages.
    public func claim(now: Int64, limit: Int, lease: Int64, policy: PolicyConfig, only: [Int64]?) async throws
        -> [ClaimedMessage]
    {
        try await write { db in
            let scope = only == nil ? "" : "AND id IN (SELECT value FROM json_each(?))"
            let list = only.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
            var arguments: StatementArguments = [now]
            if let list { arguments += [list] }
            arguments += [now]
            if let list { arguments += [list] }
            // Each due message with its person as they are now, in one read.
            let candidates = try db.cachedStatement(
                sql: """
                    SELECT m.id, m.status, m.contactId, m.category, m.priority, m.phone, m.dueAt, m.notBefore, m.expiresAt,
                        c.id AS c_id, c.phone AS c_phone, c.name AS c_name, c.language AS c_language,
                        c.languageChosen AS c_languageChosen, c.timeZone AS c_timeZone, c.timeZoneChosen AS c_timeZoneChosen,
                        c.region AS c_region, c.optedOutAll AS c_optedOutAll, c.optedOutCategories AS c_optedOutCategories,
                        c.quietHours AS c_quietHours
                    FROM (
                        SELECT id, dueAt AS t FROM message
                            WHERE status IN \(MessageStatus.waitingSQL) AND dueAt <= ? \(scope)
                        UNION ALL
                        SELECT id, leaseUntil AS t FROM message WHERE status = 'sending' AND leaseUntil <= ? \(scope)
                    ) AS due
                    JOIN message m ON m.id = due.id
                    LEFT JOIN contact c ON c.id = m.contactId
                    ORDER BY due.t, due.id LIMIT ?
                    """)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE message SET status = 'sending', attempts = attempts + 1, leaseUntil = ?, updatedAt = ?
                    WHERE id = ?
                    RETURNING id, phone, text, encoding, segments, template, contactId, attempts, expiresAt,
                        (SELECT COUNT(*) FROM attempt WHERE attempt.messageId = message.id) AS recorded
                    """)
            var out: [ClaimedMessage] = []
            out.reserveCapacity(limit)
            // Messages the review withdrew or held no longer match, so asking again finds the next ones.
            var seen = Set<Int64>()
            while out.count < limit {
                let wanted = limit - out.count
                let rows = try Row.fetchAll(candidates, arguments: arguments + [wanted])
                    .filter { seen.insert($0["id"]).inserted }
                if rows.isEmpty { break }
                for row in rows {
                    let id: Int64 = row["id"]
                    let message = Self.waiting(row)
                    let verdict = Consent.review(message, contact: Contact(joined: row), config: policy, now: now)
                    guard try Self.apply(verdict, to: message, status: row["status"], db: db, now: now) == .claimable
                    else { continue }
                    guard let claimed = try Row.fetchOne(update, arguments: [now + lease, now, id]) else { continue }
                    let attempt: Int = claimed["attempts"]
                    out.append(ClaimedMessage(
                        id: claimed["id"], phone: claimed["phone"], text: claimed["text"], encoding: claimed["encoding"],
                        segments: claimed["segments"], template: claimed["template"], contact: claimed["contactId"],
                        attempt: attempt, expiresAt: claimed["expiresAt"],
                        reclaimed: (claimed["recorded"] as Int) < attempt - 1,
                        idempotencyKey: "herald-\(instance)-\(claimed["id"] as Int64)"))
                }
                if rows.count < wanted { break }
            }
            return out
        }
    }

    /// Writes attempts and the statuses they lead to, in one transaction. A message no longer `sending` (a delivery
    /// report came first) keeps its status; the attempt is still recorded. A message left to retry is reviewed
    /// against its person's preferences at once, so an opt-out that came while it was in flight cancels it.
    public func record(_ attempts: [AttemptRecord], now: Int64, policy: PolicyConfig) async throws {
        guard !attempts.isEmpty else { return }
        try await write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO attempt (messageId, number, sender, startedAt, latencyMs, outcome, httpStatus, error,
                        providerId, result, nextAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE message SET status = ?, leaseUntil = NULL, updatedAt = ?, dueAt = COALESCE(?, dueAt),
                        providerId = COALESCE(?, providerId), lastError = ?,
                        sentAt = CASE WHEN ? = 'sent' THEN ? ELSE sentAt END,
                        finishedAt = CASE WHEN ? IN ('failed', 'expired') THEN ? ELSE finishedAt END
                    WHERE id = ? AND status = 'sending'
                    """)
            for a in attempts {
                try insert.execute(arguments: [
                    a.messageID, a.number, a.sender, a.startedAt.ms, a.latencyMs, a.outcome.rawValue, a.httpStatus, a.error,
                    a.providerID, a.result.rawValue, a.nextAt?.ms,
                ])
                try update.execute(arguments: [
                    a.result.rawValue, now, a.nextAt?.ms, a.providerID, a.error, a.result.rawValue, now, a.result.rawValue, now,
                    a.messageID,
                ])
            }
            let retrying = attempts.filter { $0.result == .retry }.map(\.messageID)
            guard !retrying.isEmpty else { return }
            let owners = try String.fetchSet(
                db, sql: "SELECT DISTINCT contactId FROM message WHERE id IN (SELECT value FROM json_each(?))",
                arguments: ["[" + retrying.map(String.init).joined(separator: ",") + "]"])
            for id in owners.sorted() {
                guard let contact = try Self.contact(db, id: id) else { continue }
                try Self.review(db, contact: contact, policy: policy, now: now)
            }
        }
    }

    /// The earliest time something becomes due (a waiting message or a claim running out); nil when nothing waits.
    public func nextDue() async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT MIN(t) FROM (
                        SELECT MIN(dueAt) AS t FROM message WHERE status IN \(MessageStatus.waitingSQL)
                        UNION ALL SELECT MIN(leaseUntil) FROM message WHERE status = 'sending')
                    """)
        }
    }
}

extension SQLiteStore {
    /// Messages still to send now or soon: queued, retrying, in flight, or deferred and already due. `only`
    /// limits the count to these messages; `futureRetries: false` leaves out retries due after `now`.
    public func pending(now: Int64, only: [Int64]?, futureRetries: Bool) async throws -> Int {
        try await read { db in
            let scope = only.map { "AND id IN (" + $0.map(String.init).joined(separator: ",") + ")" } ?? ""
            return try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM message
                    WHERE (status IN ('queued', 'sending', \(futureRetries ? "'retry'" : "''"))
                        OR (status IN ('deferred', 'disabled', 'retry') AND dueAt <= ?)) \(scope)
                    """, arguments: [now]) ?? 0
        }
    }
}
