import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore {
    @discardableResult
    public func expireDue(now: Int64) async throws -> Int {
        try await transaction { tx in
            try await tx.rows(
                """
                UPDATE message SET status = 'expired', finished_at = \(now), updated_at = \(now), lease_until = NULL,
                    last_error = COALESCE(last_error || '; ', '') || 'expired before it could be sent'
                WHERE ((status IN ('queued', 'deferred', 'retry', 'disabled') AND due_at <= \(now))
                    OR (status = 'sending' AND lease_until <= \(now))) AND expires_at <= \(now)
                RETURNING id
                """, logger: logger
            ).count
        }
    }

    @discardableResult
    public func holdDue(now: Int64) async throws -> Int {
        try await transaction { tx in
            try await tx.rows(
                """
                UPDATE message SET status = 'disabled', updated_at = \(now)
                WHERE status IN ('queued', 'deferred', 'retry') AND due_at <= \(now)
                RETURNING id
                """, logger: logger
            ).count
        }
    }

    /// Claims up to `limit` due messages until `now + lease`, oldest due first, with `FOR UPDATE SKIP LOCKED`:
    /// processes claiming side by side take different messages and never wait for each other. Each message is
    /// first reviewed against its person's current preferences (`Consent.review`), as on SQLite; a claim whose
    /// lease ran out (its worker died) is claimed again.
    public func claim(now: Int64, limit: Int, lease: Int64, policy: PolicyConfig, only: [Int64]?) async throws
        -> [ClaimedMessage]
    {
        try await transaction { tx in
            let every = only == nil
            let scope = only ?? []
            var claimable: [Int64] = []
            var seen = Set<Int64>()
            while claimable.count < limit {
                let wanted = limit - claimable.count
                // The oldest due of each kind through its own partial index, locked as found (another process's
                // claim in progress is skipped, not waited for), then merged: no scan of every due message.
                let seenIDs = Array(seen)
                let rows = try await tx.rows(
                    """
                    WITH waiting AS (
                        SELECT id, due_at AS t FROM message
                        WHERE status IN ('queued', 'deferred', 'retry', 'disabled') AND due_at <= \(now)
                            AND (\(every) OR id = ANY(\(scope))) AND NOT (id = ANY(\(seenIDs)))
                        ORDER BY due_at, id LIMIT \(wanted) FOR UPDATE SKIP LOCKED
                    ), leased AS (
                        SELECT id, lease_until AS t FROM message
                        WHERE status = 'sending' AND lease_until <= \(now)
                            AND (\(every) OR id = ANY(\(scope))) AND NOT (id = ANY(\(seenIDs)))
                        ORDER BY lease_until, id LIMIT \(wanted) FOR UPDATE SKIP LOCKED
                    ), due AS (
                        SELECT id, t FROM waiting UNION ALL SELECT id, t FROM leased ORDER BY t, id LIMIT \(wanted)
                    )
                    SELECT m.id, m.status, m.category, m.priority, m.phone, m.due_at, m.not_before, m.expires_at,
                        c.id AS c_id, c.phone AS c_phone, c.name AS c_name, c.language AS c_language,
                        c.language_chosen AS c_language_chosen, c.time_zone AS c_time_zone,
                        c.time_zone_chosen AS c_time_zone_chosen, c.region AS c_region, c.opted_out_all AS c_opted_out_all,
                        c.opted_out_categories AS c_opted_out_categories, c.quiet_hours AS c_quiet_hours
                    FROM due JOIN message m ON m.id = due.id LEFT JOIN contact c ON c.id = m.contact_id
                    ORDER BY due.t, due.id
                    """, logger: logger)
                if rows.isEmpty { break }
                for row in rows {
                    let message = try Self.waiting(row)
                    seen.insert(message.id)
                    let verdict = Consent.review(message, contact: try Self.contact(joined: row), config: policy, now: now)
                    if try await apply(verdict, to: message, status: try row("status"), tx: tx, now: now) == .claimable {
                        claimable.append(message.id)
                    }
                }
                if rows.count < wanted { break }
            }
            guard !claimable.isEmpty else { return [] }
            let claimed = try await tx.rows(
                """
                UPDATE message SET status = 'sending', attempts = attempts + 1, lease_until = \(now + lease),
                    updated_at = \(now)
                WHERE id = ANY(\(claimable))
                RETURNING id, phone, text, encoding, segments, template, contact_id, attempts, expires_at,
                    (SELECT COUNT(*) FROM attempt WHERE attempt.message_id = message.id) AS recorded
                """, logger: logger)
            var byID: [Int64: ClaimedMessage] = [:]
            for row in claimed {
                let id: Int64 = try row("id")
                let attempt: Int = try row("attempts")
                byID[id] = ClaimedMessage(
                    id: id, phone: try row("phone"), text: try row("text"), encoding: try row("encoding"),
                    segments: try row("segments"), template: try row("template"), contact: try row("contact_id"),
                    attempt: attempt, expiresAt: try row("expires_at"), reclaimed: (try row("recorded", as: Int.self)) < attempt - 1,
                    idempotencyKey: "herald-\(instance)-\(id)")
            }
            return claimable.compactMap { byID[$0] }
        }
    }

    /// The contact joined under `c_` names; nil when the message's person is unknown.
    static func contact(joined row: Columns) throws -> Contact? {
        guard let id: String = try row.optional("c_id") else { return nil }
        return Contact(
            id: id, phone: try row.optional("c_phone"), name: try row.optional("c_name"),
            language: try row.optional("c_language"), languageChosen: try row("c_language_chosen"),
            timeZone: try row.optional("c_time_zone"), timeZoneChosen: try row("c_time_zone_chosen"),
            region: try row.optional("c_region"), optedOutAll: try row("c_opted_out_all"),
            optedOutCategories: (try row("c_opted_out_categories", as: String.self)).split(separator: ",").map(String.init),
            quietHours: try row.optional("c_quiet_hours"))
    }

    public func record(_ attempts: [AttemptRecord], now: Int64, policy: PolicyConfig) async throws {
        guard !attempts.isEmpty else { return }
        try await transaction { tx in
            var statement = Statement()
            statement.insert(
                into: """
                    attempt (message_id, number, sender, started_at, latency_ms, outcome, http_status, error, provider_id,
                        result, next_at)
                    """, columns: 11, attempts
            ) { b, a in
                b.append(a.messageID); b.append(a.number); b.append(a.sender); b.append(a.startedAt.ms); b.append(a.latencyMs)
                b.append(a.outcome.rawValue); b.append(a.httpStatus); b.append(a.error); b.append(a.providerID)
                b.append(a.result.rawValue); b.append(a.nextAt?.ms)
            }
            try await statement.run(on: tx, logger: logger)
            // Each message's status from its attempt, in one statement (the first attempt of a message wins, as
            // when applied one by one: after it the message is no longer `sending`). Empty text and -1 stand for
            // none in the arrays.
            var seen = Set<Int64>()
            let first = attempts.filter { seen.insert($0.messageID).inserted }
            let ids = first.map(\.messageID)
            let results = first.map(\.result.rawValue)
            let nextAt = first.map { $0.nextAt?.ms ?? -1 }
            let providerIDs = first.map { $0.providerID ?? "" }
            let errors = first.map { $0.error ?? "" }
            try await tx.query(
                """
                UPDATE message m SET status = h.result, lease_until = NULL, updated_at = \(now),
                    due_at = COALESCE(NULLIF(h.next_at, -1), m.due_at),
                    provider_id = COALESCE(NULLIF(h.provider_id, ''), m.provider_id),
                    last_error = NULLIF(h.error, ''),
                    sent_at = CASE WHEN h.result = 'sent' THEN \(now) ELSE m.sent_at END,
                    finished_at = CASE WHEN h.result IN ('failed', 'expired') THEN \(now) ELSE m.finished_at END
                FROM unnest(\(ids)::bigint[], \(results)::text[], \(nextAt)::bigint[], \(providerIDs)::text[],
                    \(errors)::text[]) AS h(id, result, next_at, provider_id, error)
                WHERE m.id = h.id AND m.status = 'sending'
                """, logger: logger)
            let retrying = attempts.filter { $0.result == .retry }.map(\.messageID)
            guard !retrying.isEmpty else { return }
            let owners = try await tx.rows(
                "SELECT DISTINCT contact_id FROM message WHERE id = ANY(\(retrying)) ORDER BY contact_id", logger: logger
            ).map { try $0("contact_id", as: String.self) }
            for id in owners {
                guard let contact = try await contact(tx, id: id) else { continue }
                _ = try await review(tx, contact: contact, policy: policy, now: now)
            }
            try await notifyDue(tx)
        }
    }

    /// Extends the leases of claims still held (still `sending` under the attempt they were claimed for).
    public func renew(_ claims: [(id: Int64, attempt: Int)], until: Int64, now: Int64) async throws -> Set<Int64> {
        guard !claims.isEmpty else { return [] }
        let ids = claims.map(\.id)
        let attempts = claims.map { Int32($0.attempt) }
        return try await transaction { tx in
            try await tx.rows(
                """
                UPDATE message m SET lease_until = \(until), updated_at = \(now)
                FROM unnest(\(ids)::bigint[], \(attempts)::integer[]) AS h(id, n)
                WHERE m.id = h.id AND m.attempts = h.n AND m.status = 'sending'
                RETURNING m.id
                """, logger: logger
            ).reduce(into: Set<Int64>()) { $0.insert(try $1("id", as: Int64.self)) }
        }
    }

    /// Gives back claims a stopping worker did not start: they wait again, due as before, their attempt not counted.
    public func release(_ ids: [Int64], now: Int64) async throws {
        guard !ids.isEmpty else { return }
        try await transaction { tx in
            try await tx.query(
                """
                UPDATE message SET attempts = attempts - 1, lease_until = NULL, updated_at = \(now),
                    status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'queued' END
                WHERE id = ANY(\(ids)) AND status = 'sending'
                """, logger: logger)
            try await notifyDue(tx)
        }
    }

    public func nextDue() async throws -> Int64? {
        try await read { conn in
            try await conn.rows(
                """
                SELECT LEAST(
                    (SELECT MIN(due_at) FROM message WHERE status IN ('queued', 'deferred', 'retry', 'disabled')),
                    (SELECT MIN(lease_until) FROM message WHERE status = 'sending')) AS t
                """, logger: logger
            ).first?.optional("t", as: Int64.self)
        }
    }

    public func pending(now: Int64, only: [Int64]?, futureRetries: Bool) async throws -> Int {
        try await read { conn in
            try await conn.rows(
                """
                SELECT COUNT(*) AS n FROM message
                WHERE (status IN ('queued', 'sending') OR (status = 'retry' AND \(futureRetries))
                    OR (status IN ('deferred', 'disabled', 'retry') AND due_at <= \(now)))
                    AND (\(only == nil) OR id = ANY(\(only ?? [])))
                """, logger: logger
            )[0]("n")
        }
    }

    /// Applies a delivery report: the message it names takes the reported status. Every report is kept.
    public func apply(_ report: DeliveryReport, now: Int64) async throws -> ReportResult {
        try await transaction { tx in
            var row = try await tx.rows(
                """
                SELECT id, status FROM message WHERE provider_id = \(report.reference) ORDER BY id DESC LIMIT 1 FOR UPDATE
                """, logger: logger
            ).first
            if row == nil, let id = heraldID(report.reference) {
                row = try await tx.rows("SELECT id, status FROM message WHERE id = \(id) FOR UPDATE", logger: logger).first
            }
            let id: Int64? = try row.map { try $0("id") }
            try await tx.query(
                """
                INSERT INTO report (reference, message_id, status, error_code, received_at)
                VALUES (\(report.reference), \(id), \(report.status.rawValue), \(report.errorCode), \(now))
                """, logger: logger)
            guard let row, let id else { return ReportResult(reference: report.reference) }
            let previous = MessageStatus(rawValue: try row("status")) ?? .queued
            let (status, ignored) = report.outcome(for: previous)
            if let ignored {
                return ReportResult(reference: report.reference, messageID: id, previous: previous, status: status, ignored: ignored)
            }
            let error = report.errorCode.map { "provider reported \(report.status.rawValue): \($0)" }
            try await tx.query(
                """
                UPDATE message SET status = \(status.rawValue), finished_at = \(now), updated_at = \(now), lease_until = NULL,
                    last_error = COALESCE(\(error), last_error)
                WHERE id = \(id)
                """, logger: logger)
            return ReportResult(reference: report.reference, messageID: id, previous: previous, status: status)
        }
    }

    /// `42`, or `herald-<instance>-42` of this database.
    func heraldID(_ reference: String) -> Int64? {
        let prefix = "herald-\(instance)-"
        return Int64(reference.hasPrefix(prefix) ? String(reference.dropFirst(prefix.count)) : reference)
    }

    public func resend(_ id: Int64, now: Int64, ttl: Int64) async throws -> StoredMessage {
        let result: Result<Int64, ResendRefusal> = try await transaction { tx in
            guard let row = try await tx.rows(
                "SELECT status, category, contact_id FROM message WHERE id = \(id) FOR UPDATE", logger: logger
            ).first else { return .failure(.notFound(id)) }
            let contact = try await contact(tx, id: try row("contact_id"))
            let status = MessageStatus(rawValue: try row("status")) ?? .queued
            if let refusal = ResendRefusal.check(id: id, status: status, category: try row("category"), contact: contact) {
                return .failure(refusal)
            }
            let inserted = try await tx.rows(
                """
                INSERT INTO message (event_id, template, contact_id, phone, category, priority, locale, time_zone, text,
                    encoding, units, segments, status, created_at, due_at, expires_at, updated_at, resend_of, not_before)
                SELECT event_id, template, contact_id, phone, category, priority, locale, time_zone, text, encoding, units,
                    segments, 'queued', \(now), \(now), \(now + ttl), \(now), id, \(now)
                FROM message WHERE id = \(id)
                RETURNING id
                """, logger: logger)
            try await notifyDue(tx)
            return .success(try inserted[0]("id"))
        }
        let newID = try result.get()
        guard let message = try await message(id: newID) else { throw StorageFault(.unavailable, message: "resend lost") }
        return message
    }
}
