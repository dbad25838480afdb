import HeraldCore
import PostgresNIO

extension PostgresStore {
    static let contactColumns = """
        id, phone, name, language, language_chosen, time_zone, time_zone_chosen, region, opted_out_all,
        opted_out_categories, quiet_hours
        """

    static func contact(_ row: Columns) throws -> Contact {
        Contact(
            id: try row("id"), phone: try row.optional("phone"), name: try row.optional("name"),
            language: try row.optional("language"), languageChosen: try row("language_chosen"),
            timeZone: try row.optional("time_zone"), timeZoneChosen: try row("time_zone_chosen"),
            region: try row.optional("region"), optedOutAll: try row("opted_out_all"),
            optedOutCategories: (try row("opted_out_categories", as: String.self)).split(separator: ",").map(String.init),
            quietHours: try row.optional("quiet_hours"))
    }

    func contact(_ conn: PostgresConnection, id: String) async throws -> Contact? {
        try await conn.rows("SELECT \(unescaped: Self.contactColumns) FROM contact WHERE id = \(id)", logger: logger)
            .first.map(Self.contact)
    }

    /// The last version of each contact, in the order they first appear (one statement may not upsert a row twice).
    static func latest(_ contacts: [Contact]) -> [Contact] {
        var latest: [String: Contact] = [:]
        var order: [String] = []
        for c in contacts where latest.updateValue(c, forKey: c.id) == nil { order.append(c.id) }
        return order.map { latest[$0]! }
    }

    static let contactUpsert = """
        ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, name = excluded.name, language = excluded.language,
            language_chosen = excluded.language_chosen, time_zone = excluded.time_zone,
            time_zone_chosen = excluded.time_zone_chosen, region = excluded.region,
            opted_out_all = excluded.opted_out_all, opted_out_categories = excluded.opted_out_categories,
            quiet_hours = excluded.quiet_hours, updated_at = excluded.updated_at
        """

    static func bind(_ c: Contact, to b: inout PostgresBindings, now: Int64) {
        b.append(c.id); b.append(c.phone); b.append(c.name); b.append(c.language); b.append(c.languageChosen)
        b.append(c.timeZone); b.append(c.timeZoneChosen); b.append(c.region); b.append(c.optedOutAll)
        b.append(c.optedOutCategories.sorted().joined(separator: ",")); b.append(c.quietHours); b.append(now); b.append(now)
    }

    /// Creates or updates one contact.
    func save(_ c: Contact, tx: PostgresConnection, now: Int64) async throws {
        var statement = Statement()
        statement.insert(
            into: """
                contact (id, phone, name, language, language_chosen, time_zone, time_zone_chosen, region, opted_out_all,
                    opted_out_categories, quiet_hours, created_at, updated_at)
                """, columns: 13, [c], tail: Self.contactUpsert
        ) { b, c in Self.bind(c, to: &b, now: now) }
        try await statement.run(on: tx, logger: logger)
    }

    public func contact(id: String) async throws -> Contact? {
        try await read { conn in try await contact(conn, id: id) }
    }

    public func contacts(phone: String) async throws -> [Contact] {
        try await read { conn in
            try await conn.rows(
                "SELECT \(unescaped: Self.contactColumns) FROM contact WHERE phone = \(phone) ORDER BY id", logger: logger
            ).map(Self.contact)
        }
    }

    @discardableResult
    public func updateContact(
        id: String, now: Int64, policy: PolicyConfig, source: String,
        _ change: @escaping @Sendable (inout Contact) throws -> Void
    ) async throws -> (contact: Contact, changes: ConsentChanges) {
        try await transaction { tx in try await update(tx, id: id, now: now, policy: policy, source: source, change) }
    }

    @discardableResult
    public func updateContacts(
        _ updates: [(id: String, change: @Sendable (inout Contact) throws -> Void)], now: Int64, policy: PolicyConfig,
        source: String
    ) async throws -> ConsentChanges {
        try await transaction { tx in
            var total = ConsentChanges()
            for u in updates { total.add(try await update(tx, id: u.id, now: now, policy: policy, source: source, u.change).changes) }
            return total
        }
    }

    /// One person's preferences changed, recorded and applied to what waits for them, holding the person's lock
    /// (the one planning takes) for the transaction.
    private func update(
        _ tx: PostgresConnection, id: String, now: Int64, policy: PolicyConfig, source: String,
        _ change: (inout Contact) throws -> Void
    ) async throws -> (contact: Contact, changes: ConsentChanges) {
        try await lock(person: id, tx: tx)
        let old = try await contact(tx, id: id)
        var contact = old ?? Contact(id: id)
        try change(&contact)
        try await save(contact, tx: tx, now: now)
        let changed = contact.changes(from: old)
        if !changed.isEmpty {
            try await tx.query(
                """
                INSERT INTO preference_change (contact_id, at, source, changes)
                VALUES (\(id), \(now), \(source), \(changed.joined(separator: "\n")))
                """, logger: logger)
        }
        return (contact, try await review(tx, contact: contact, policy: policy, now: now))
    }

    func lock(person id: String, tx: PostgresConnection) async throws {
        try await tx.query("SELECT pg_advisory_xact_lock(hashtextextended(\(id), 0))", logger: logger)
    }

    public func preferenceHistory(contact: String, window: TimeWindow) async throws -> [PreferenceRecord] {
        try await read { conn in
            try await conn.rows(
                """
                SELECT at, source, changes FROM preference_change
                WHERE contact_id = \(contact) AND at >= \(window.since ?? Int64.min) AND at < \(window.until ?? Int64.max)
                ORDER BY id
                """, logger: logger
            ).map { row in
                PreferenceRecord(
                    at: Instant(ms: try row("at")), source: try row("source"),
                    changes: (try row("changes", as: String.self)).split(separator: "\n").map(String.init))
            }
        }
    }

    static let waitingColumns = "id, status, category, priority, phone, due_at, not_before, expires_at"

    /// Reviews every waiting message of a contact at `now` (each row locked) and applies the verdicts.
    func review(_ tx: PostgresConnection, contact: Contact, policy: PolicyConfig, now: Int64) async throws -> ConsentChanges {
        let rows = try await tx.rows(
            """
            SELECT \(unescaped: Self.waitingColumns) FROM message
            WHERE contact_id = \(contact.id) AND status IN ('queued', 'deferred', 'retry', 'disabled')
            ORDER BY id FOR UPDATE
            """, logger: logger)
        var changes = ConsentChanges()
        for row in rows {
            let message = try Self.waiting(row)
            let verdict = Consent.review(message, contact: contact, config: policy, now: now)
            switch try await apply(verdict, to: message, status: try row("status"), tx: tx, now: now) {
            case .cancelled: changes.cancelled += 1
            case .expired: changes.expired += 1
            case .deferred: changes.deferred += 1
            case .released: changes.released += 1
            case .unchanged, .claimable: break
            }
        }
        if changes.released > 0 { try await notifyDue(tx) }
        return changes
    }

    static func waiting(_ row: Columns) throws -> WaitingMessage {
        let status: String = try row("status")
        let dueAt: Int64 = try row("due_at")
        return WaitingMessage(
            id: try row("id"), kind: status == "queued" || status == "deferred" ? .planned : .held,
            category: try row("category"), priority: Template.Priority(rawValue: try row("priority")) ?? .normal,
            phone: try row("phone"), dueAt: dueAt, notBefore: try row.optional("not_before") ?? dueAt,
            expiresAt: try row("expires_at"))
    }

    enum Applied { case unchanged, claimable, cancelled, expired, deferred, released }

    /// Writes what a verdict means for a waiting message. `claimable`: it may go now, to the phone now stored.
    func apply(_ verdict: Consent.Verdict, to m: WaitingMessage, status: String, tx: PostgresConnection, now: Int64)
        async throws -> Applied
    {
        switch verdict {
        case .cancel(let reason, let detail):
            try await tx.query(
                """
                UPDATE message SET status = 'cancelled', reason = \(reason.rawValue),
                    last_error = \("cancelled before it was sent: \(detail)"), finished_at = \(now), updated_at = \(now),
                    lease_until = NULL
                WHERE id = \(m.id)
                """, logger: logger)
            return .cancelled
        case .expire(let detail):
            try await tx.query(
                """
                UPDATE message SET status = 'expired', reason = 'expired', finished_at = \(now), updated_at = \(now),
                    lease_until = NULL, last_error = COALESCE(last_error || '; ', '') || \(detail)
                WHERE id = \(m.id)
                """, logger: logger)
            return .expired
        case .quiet(let until, let phone, let detail):
            guard until != m.dueAt || status != "deferred" || phone != m.phone else { return .unchanged }
            try await tx.query(
                """
                UPDATE message SET status = 'deferred', reason = 'quiet_hours', due_at = \(until), phone = \(phone),
                    updated_at = \(now), lease_until = NULL,
                    last_error = CASE WHEN status = 'retry' THEN last_error ELSE \(detail) END
                WHERE id = \(m.id)
                """, logger: logger)
            return .deferred
        case .due(let at, let phone):
            if phone != m.phone {
                try await tx.query(
                    "UPDATE message SET phone = \(phone), updated_at = \(now) WHERE id = \(m.id)", logger: logger)
            }
            if at <= now {
                if m.dueAt <= now { return .claimable }
                // A deferred message whose hold ended early (the person turned quiet hours off): due now.
                try await tx.query(
                    """
                    UPDATE message SET status = CASE WHEN status = 'deferred' THEN 'queued' ELSE status END, reason = NULL,
                        due_at = \(at), updated_at = \(now)
                    WHERE id = \(m.id)
                    """, logger: logger)
                return .released
            }
            // Planned for later: a schedule or quiet hours that now end sooner (or later).
            guard m.kind == .planned, at != m.dueAt else { return .unchanged }
            try await tx.query(
                "UPDATE message SET status = 'deferred', reason = NULL, due_at = \(at), updated_at = \(now) WHERE id = \(m.id)",
                logger: logger)
            return at < m.dueAt ? .released : .deferred
        }
    }

    /// Wakes idle workers of every process (`LISTEN herald_due`) when this transaction commits.
    func notifyDue(_ tx: PostgresConnection) async throws {
        try await tx.query("NOTIFY herald_due", logger: logger)
    }
}
