import GRDB
import HeraldCore

extension SQLiteStore {
    /// A contact's preferences changed by `change` (the contact is created when unknown), and every message still
    /// waiting for them reviewed against the new preferences (`Consent.review`), in one transaction: what they
    /// opted out of is cancelled, quiet hours defer or release what waits. Every path that changes a preference
    /// (the CLI, the API, a customer's token, an inbound STOP or START) goes through here.
    @discardableResult
    public func updateContact(
        id: String, now: Int64, policy: PolicyConfig, source: String,
        _ change: @escaping @Sendable (inout Contact) throws -> Void
    ) async throws -> (contact: Contact, changes: ConsentChanges) {
        try await write { db in try Self.update(db, id: id, now: now, policy: policy, source: source, change) }
    }

    /// `updateContact` for many people in one transaction: an import of preferences.
    @discardableResult
    public func updateContacts(
        _ updates: [(id: String, change: @Sendable (inout Contact) throws -> Void)], now: Int64, policy: PolicyConfig,
        source: String
    ) async throws -> ConsentChanges {
        try await write { db in
            var total = ConsentChanges()
            for update in updates {
                total.add(try Self.update(db, id: update.id, now: now, policy: policy, source: source, update.change).changes)
            }
            return total
        }
    }

    static func update(
        _ db: Database, id: String, now: Int64, policy: PolicyConfig, source: String, _ change: (inout Contact) throws -> Void
    ) throws -> (contact: Contact, changes: ConsentChanges) {
        let old = try contact(db, id: id)
        var contact = old ?? Contact(id: id)
        try change(&contact)
        try save(db, contact: contact, now: now)
        let changed = contact.changes(from: old)
        if !changed.isEmpty {
            try db.cachedStatement(sql: "INSERT INTO preferenceChange (contactId, at, source, changes) VALUES (?, ?, ?, ?)")
                .execute(arguments: [id, now, source, changed.joined(separator: "\n")])
        }
        return (contact, try review(db, contact: contact, policy: policy, now: now))
    }

    public func preferenceHistory(contact: String, window: TimeWindow) async throws -> [PreferenceRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT at, source, changes FROM preferenceChange
                    WHERE contactId = ? AND at >= ? AND at < ? ORDER BY id
                    """,
                arguments: [contact, window.since ?? Int64.min, window.until ?? Int64.max]
            ).map { row in
                PreferenceRecord(
                    at: Instant(ms: row["at"]), source: row["source"],
                    changes: (row["changes"] as String).split(separator: "\n").map(String.init))
            }
        }
    }

    /// Reviews every waiting message of a contact at `now` and applies the verdicts.
    static func review(_ db: Database, contact: Contact, policy: PolicyConfig, now: Int64) throws -> ConsentChanges {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, status, category, priority, phone, dueAt, notBefore, createdAt, expiresAt FROM message
                    WHERE contactId = ? AND status IN \(MessageStatus.waitingSQL)
                    """),
            arguments: [contact.id])
        var changes = ConsentChanges()
        for row in rows {
            let message = waiting(row)
            let verdict = Consent.review(message, contact: contact, config: policy, now: now)
            switch try apply(verdict, to: message, status: row["status"], db: db, now: now) {
            case .cancelled: changes.cancelled += 1
            case .expired: changes.expired += 1
            case .deferred: changes.deferred += 1
            case .released: changes.released += 1
            case .unchanged, .claimable: break
            }
        }
        return changes
    }

    static func waiting(_ row: Row) -> WaitingMessage {
        let status: String = row["status"]
        let dueAt: Int64 = row["dueAt"]
        return WaitingMessage(
            id: row["id"], kind: status == "queued" || status == "deferred" ? .planned : .held,
            category: row["category"], priority: Template.Priority(rawValue: row["priority"]) ?? .normal,
            phone: row["phone"], dueAt: dueAt, notBefore: (row["notBefore"] as Int64?) ?? dueAt, expiresAt: row["expiresAt"])
    }

    enum Applied { case unchanged, claimable, cancelled, expired, deferred, released }

    /// Writes what a verdict means for a waiting message. `claimable`: it may go now, to the phone now stored.
    static func apply(_ verdict: Consent.Verdict, to m: WaitingMessage, status: String, db: Database, now: Int64) throws
        -> Applied
    {
        switch verdict {
        case .cancel(let reason, let detail):
            try db.cachedStatement(
                sql: """
                    UPDATE message SET status = 'cancelled', reason = ?, lastError = ?, finishedAt = ?, updatedAt = ?,
                        leaseUntil = NULL
                    WHERE id = ?
                    """
            ).execute(arguments: [reason.rawValue, "cancelled before it was sent: \(detail)", now, now, m.id])
            return .cancelled
        case .expire(let detail):
            try db.cachedStatement(
                sql: """
                    UPDATE message SET status = 'expired', reason = 'expired', finishedAt = ?, updatedAt = ?,
                        leaseUntil = NULL, lastError = COALESCE(lastError || '; ', '') || ?
                    WHERE id = ?
                    """
            ).execute(arguments: [now, now, detail, m.id])
            return .expired
        case .quiet(let until, let phone, let detail):
            guard until != m.dueAt || status != "deferred" || phone != m.phone else { return .unchanged }
            try db.cachedStatement(
                sql: """
                    UPDATE message SET status = 'deferred', reason = 'quiet_hours', dueAt = ?, phone = ?, updatedAt = ?,
                        leaseUntil = NULL, lastError = CASE WHEN status = 'retry' THEN lastError ELSE ? END
                    WHERE id = ?
                    """
            ).execute(arguments: [until, phone, now, detail, m.id])
            return .deferred
        case .due(let at, let phone):
            if phone != m.phone {
                try db.cachedStatement(sql: "UPDATE message SET phone = ?, updatedAt = ? WHERE id = ?")
                    .execute(arguments: [phone, now, m.id])
            }
            if at <= now { return m.dueAt <= now ? .claimable : try release(m, at: at, db: db, now: now) }
            // Planned for later: a schedule or quiet hours that now end sooner (or later).
            guard m.kind == .planned, at != m.dueAt else { return .unchanged }
            try db.cachedStatement(
                sql: "UPDATE message SET status = 'deferred', reason = NULL, dueAt = ?, updatedAt = ? WHERE id = ?"
            ).execute(arguments: [at, now, m.id])
            return at < m.dueAt ? .released : .deferred
        }
    }

    /// A deferred message whose hold ended early (the person turned quiet hours off): due now.
    private static func release(_ m: WaitingMessage, at: Int64, db: Database, now: Int64) throws -> Applied {
        try db.cachedStatement(
            sql: """
                UPDATE message SET status = CASE WHEN status = 'deferred' THEN 'queued' ELSE status END, reason = NULL,
                    dueAt = ?, updatedAt = ?
                WHERE id = ?
                """
        ).execute(arguments: [at, now, m.id])
        return .released
    }
}
