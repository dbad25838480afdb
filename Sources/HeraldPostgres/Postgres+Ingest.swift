import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Plans and stores events in one transaction. The planner runs over a `PlanningSnapshot`: what it asks is
    /// read (each person locked first, so two processes planning for the same person take turns and a rate limit
    /// counts both), and the planning runs again until nothing it asks is unknown. An event id that another
    /// process stored meanwhile makes the whole batch roll back and run again, where it is found stored.
    public func ingest(_ events: [Event], planner: Planner, now: Int64) async throws -> [Result<IngestResult, EventError>] {
        guard !events.isEmpty else { return [] }
        return try await transaction { tx in
            let stored = try await storedResults(tx, eventIDs: Array(Set(events.map(\.id))))
            enum Slot { case stored(IngestResult), planned(EventPlan), failed(EventError), repeated(Int) }
            let snapshot = PlanningSnapshot()
            var locked = Set<String>()
            var slots: [Slot] = []
            for round in 1... {
                snapshot.startRun()
                slots = []
                var first: [String: Int] = [:]
                for event in events {
                    if let result = stored[event.id] {
                        slots.append(.stored(result))
                    } else if let index = first[event.id] {
                        slots.append(.repeated(index))
                    } else {
                        first[event.id] = slots.count
                        do {
                            let plan = try planner.plan(event, now: now, context: snapshot)
                            snapshot.add(plan)
                            slots.append(.planned(plan))
                        } catch let error as EventError {
                            slots.append(.failed(error))
                        }
                    }
                }
                if snapshot.isComplete { break }
                guard round < 10 else { throw StorageFault(.unavailable, message: "planning did not settle in 10 reads") }
                let people = Self.people(missedBy: snapshot)
                try await learn(snapshot, on: tx, lock: Array(people.subtracting(locked)))
                locked.formUnion(people)
            }
            let plans = slots.compactMap { if case .planned(let p) = $0 { p } else { nil } }
            let decisions = try await write(plans, tx: tx, now: now)
            var results: [Result<IngestResult, EventError>] = []
            var next = 0
            for slot in slots {
                switch slot {
                case .stored(let result): results.append(.success(result))
                case .failed(let error): results.append(.failure(error))
                case .planned(let plan):
                    results.append(.success(IngestResult(event: plan.event.id, type: plan.event.type, duplicate: false,
                                                         decisions: decisions[next])))
                    next += 1
                case .repeated(let index):
                    results.append(results[index].map { r in
                        var again = r
                        again.duplicate = true
                        return again
                    })
                }
            }
            return results
        }
    }

    /// Writes planned events (their rows, contacts, messages and decisions); returns each event's decisions with
    /// their message ids. Throws `Retry` when one of the events was stored meanwhile by another process.
    private func write(_ plans: [EventPlan], tx: PostgresConnection, now: Int64) async throws -> [[Decision]] {
        guard !plans.isEmpty else { return [] }
        var rows: [(eventID: String, decision: Decision, message: OutboxMessage?)] = []
        for plan in plans {
            for (index, decision) in plan.decisions.enumerated() {
                rows.append((plan.event.id, decision, plan.messages[index]))
            }
        }
        let stored: [Decision]
        do {
            stored = try await insert(rows, events: plans, contacts: plans.flatMap(\.contacts), tx: tx, now: now)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505"
            && error.serverInfo?[.constraintName] == "event_pkey"
        {
            // Another process stored one of these events first: plan again, where it is found stored.
            throw Retry()
        }
        var out: [[Decision]] = []
        var offset = 0
        for plan in plans {
            out.append(Array(stored[offset..<offset + plan.decisions.count]))
            offset += plan.decisions.count
        }
        return out
    }

    /// Writes events (when given), contacts, decisions and their outbox messages in one statement (its parts as
    /// data-modifying `WITH` clauses: one round trip); returns the decisions with their message ids. The message
    /// ids are taken from their sequence first, with a `NOTIFY` for idle workers when there are messages.
    func insert(
        _ rows: [(eventID: String, decision: Decision, message: OutboxMessage?)], events: [EventPlan] = [],
        contacts: [Contact], tx: PostgresConnection, now: Int64
    ) async throws -> [Decision] {
        let wanted = rows.filter { $0.message != nil }.count
        var ids: [Int64] = []
        if wanted > 0 {
            ids = try await tx.rows(
                """
                SELECT nextval('message_id_seq') AS id, CASE WHEN g = 1 THEN pg_notify('herald_due', '') END AS woken
                FROM generate_series(1, \(wanted)) AS g
                """, logger: logger
            ).map { try $0("id", as: Int64.self) }
        }
        var decisions: [Decision] = []
        var messages: [(id: Int64, eventID: String, message: OutboxMessage)] = []
        for row in rows {
            var d = row.decision
            if let m = row.message {
                d.messageID = ids[messages.count]
                messages.append((ids[messages.count], row.eventID, m))
            }
            decisions.append(d)
        }
        var statement = Statement()
        statement.insert(into: "event (id, type, occurred_at, received_at, payload, rules)", columns: 6, events) { b, plan in
            let e = plan.event
            b.append(e.id); b.append(e.type); b.append(e.occurred(receivedAt: now)); b.append(now); b.append(e.json())
            b.append(plan.rules.serialized)
        }
        statement.insert(
            into: """
                contact (id, phone, name, language, language_chosen, time_zone, time_zone_chosen, region, opted_out_all,
                    opted_out_categories, quiet_hours, created_at, updated_at)
                """, columns: 13, Self.latest(contacts), tail: Self.contactUpsert
        ) { b, c in Self.bind(c, to: &b, now: now) }
        statement.insert(
            into: """
                message (id, event_id, template, contact_id, phone, category, priority, locale, time_zone, text,
                    encoding, units, segments, status, created_at, due_at, expires_at, updated_at, not_before, reason)
                """, columns: 20, messages
        ) { b, item in
            let m = item.message
            let r = m.rendered
            b.append(item.id); b.append(item.eventID); b.append(m.template); b.append(m.contact); b.append(m.phone)
            b.append(m.category); b.append(m.priority.rawValue); b.append(r.messageLocale); b.append(r.timeZone)
            b.append(r.text); b.append(r.encoding.rawValue); b.append(r.units); b.append(r.segments)
            b.append(m.status.rawValue); b.append(now); b.append(m.dueAt); b.append(m.expiresAt); b.append(now)
            b.append(m.notBefore); b.append(m.dueAt > m.notBefore ? Consent.Reason.quietHours.rawValue : nil)
        }
        statement.insert(
            into: "decision (event_id, template, contact_id, action, reason, message_id, decided_at, body)",
            columns: 8, Array(zip(rows.map(\.eventID), decisions))
        ) { b, item in
            let (eventID, d) = item
            b.append(eventID); b.append(d.template); b.append(d.contact); b.append(d.action.rawValue)
            b.append(d.reason?.rawValue); b.append(d.messageID); b.append(now); b.append(d.serialized)
        }
        try await statement.run(on: tx, logger: logger)
        return decisions
    }

    /// The stored decisions of events already stored, by event id.
    func storedResults(_ tx: PostgresConnection, eventIDs: [String]) async throws -> [String: IngestResult] {
        let types = try await tx.rows("SELECT id, type FROM event WHERE id = ANY(\(eventIDs))", logger: logger)
        guard !types.isEmpty else { return [:] }
        var out: [String: IngestResult] = [:]
        for row in types {
            let id: String = try row("id")
            out[id] = IngestResult(event: id, type: try row("type"), duplicate: true, decisions: [])
        }
        let decoder = JSONDecoder()
        for row in try await tx.rows(
            "SELECT event_id, body FROM decision WHERE event_id = ANY(\(Array(out.keys))) ORDER BY id", logger: logger)
        {
            let body: String = try row("body")
            out[try row("event_id"), default: IngestResult(event: "", type: "", duplicate: true, decisions: [])]
                .decisions.append(try decoder.decode(Decision.self, from: Data(body.utf8)))
        }
        return out
    }

    /// `contactColumns`' place in a row that is not a contact.
    static let noContact = """
        NULL::text, NULL::text, NULL::text, NULL::text, false, NULL::text, false, NULL::text, false, ''::text, NULL::text
        """

    /// The people the last planning run asked about and the store has not answered yet.
    static func people(missedBy snapshot: PlanningSnapshot) -> Set<String> {
        snapshot.missingContacts.union(snapshot.missingCounts.map(\.contact))
    }

    /// Reads what the last planning run missed. Inside an ingest, the people in `lock` are locked for the
    /// transaction first (in id order), so what is read of them stays true until it commits.
    func learn(_ snapshot: PlanningSnapshot, on conn: PostgresConnection, lock: [String]) async throws {
        if !lock.isEmpty {
            try await conn.query(
                """
                SELECT pg_advisory_xact_lock(hashtextextended(id, 0))
                FROM (SELECT unnest(\(lock.sorted())::text[]) AS id ORDER BY 1) AS person
                """, logger: logger)
        }
        // Everything missed, in one statement: contacts, message counts and decisions, one kind of row each.
        let contacts = Array(snapshot.missingContacts)
        let counts = Array(snapshot.missingCounts)
        let decisions = Array(snapshot.missingDecisions)
        let rows = try await conn.rows(
            """
            SELECT 'contact' AS kind, id AS who, NULL::bigint AS since, NULL::bigint AS n, NULL::text AS event,
                \(unescaped: Self.contactColumns)
            FROM contact WHERE id = ANY(\(contacts))
            UNION ALL
            SELECT 'count', k.contact, k.since, COUNT(m.id), NULL::text, \(unescaped: Self.noContact)
            FROM unnest(\(counts.map(\.contact))::text[], \(counts.map(\.since))::bigint[]) AS k (contact, since)
            LEFT JOIN message m ON m.contact_id = k.contact AND m.created_at >= k.since
            GROUP BY k.contact, k.since
            UNION ALL
            SELECT DISTINCT 'decided', d.contact_id, NULL::bigint, NULL::bigint, d.event_id, \(unescaped: Self.noContact)
            FROM unnest(\(decisions.map(\.eventID))::text[], \(decisions.map(\.contact))::text[]) AS k (event, contact)
            JOIN decision d ON d.event_id = k.event AND d.contact_id = k.contact
            """, logger: logger)
        var found: [Contact] = []
        var decided = Set<PlanningSnapshot.DecisionKey>()
        for row in rows {
            switch try row("kind", as: String.self) {
            case "contact": found.append(try Self.contact(row))
            case "count":
                snapshot.learn(
                    count: try row("n"), for: PlanningSnapshot.CountKey(contact: try row("who"), since: try row("since")))
            default: decided.insert(PlanningSnapshot.DecisionKey(eventID: try row("event"), contact: try row("who")))
            }
        }
        snapshot.learn(contacts: found, asked: contacts)
        for key in decisions { snapshot.learn(decided: decided.contains(key), for: key) }
    }

    /// Runs `body` over answers read ahead (`PlanningSnapshot`), reading what it missed and running it again
    /// until it misses nothing. `body` must be a pure function of its answers (the planner is).
    public func planning<T: Sendable>(_ body: @escaping @Sendable (any PlanningContext) throws -> T) async throws -> T {
        try await read { conn in
            let snapshot = PlanningSnapshot()
            for _ in 1...10 {
                snapshot.startRun()
                let value = try body(snapshot)
                if snapshot.isComplete { return value }
                try await learn(snapshot, on: conn, lock: [])
            }
            throw StorageFault(.unavailable, message: "planning did not settle in 10 reads")
        }
    }

    /// Records the event standing for a direct send; false when its id was already stored.
    @discardableResult
    public func register(_ event: Event, now: Int64) async throws -> Bool {
        try await transaction { tx in
            try await !tx.rows(
                """
                INSERT INTO event (id, type, occurred_at, received_at, payload, rules)
                VALUES (\(event.id), \(event.type), \(event.occurred(receivedAt: now)), \(now), \(event.json()), '[]')
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger
            ).isEmpty
        }
    }

    @discardableResult
    public func write(_ plans: [RecipientPlan], eventID: String, now: Int64) async throws -> [Decision] {
        guard !plans.isEmpty else { return [] }
        return try await transaction { tx in
            try await insert(plans.map { (eventID, $0.decision, $0.message) }, contacts: plans.compactMap(\.contact), tx: tx, now: now)
        }
    }

    /// Queues a message written by hand or a keyword reply; returns its id.
    public func queue(_ m: RawMessage, now: Int64) async throws -> Int64 {
        try await transaction { tx in
            let rows = try await tx.rows(
                """
                INSERT INTO message (event_id, template, contact_id, phone, category, priority, locale, time_zone, text,
                    encoding, units, segments, status, created_at, due_at, expires_at, updated_at, not_before)
                VALUES (\(m.eventID), '-', \(m.contact), \(m.phone), \(m.category), 'urgent', \(m.locale), 'UTC', \(m.text),
                    \(m.encoding), \(m.units), \(m.segments), 'queued', \(now), \(now), \(m.expiresAt), \(now), \(now))
                RETURNING id
                """, logger: logger)
            try await notifyDue(tx)
            return try rows[0]("id")
        }
    }
}

/// Inserts into several tables in one statement: each table's rows are one multi-row `VALUES` in a data-modifying
/// `WITH` clause, their values bind parameters. PostgreSQL takes at most 65,535 parameters a statement, so a
/// statement that would pass 60,000 is sent and a new one begun.
struct Statement {
    private var parts: [String] = []
    private var binds = PostgresBindings()
    private var sent: [PostgresQuery] = []

    mutating func insert<T>(
        into target: String, columns: Int, _ items: [T], tail: String = "", bind: (inout PostgresBindings, T) throws -> Void
    ) rethrows {
        var start = 0
        while start < items.count {
            var room = (60_000 - binds.count) / columns
            if room < 1 {
                flush()
                room = 60_000 / columns
            }
            let part = items[start..<min(items.count, start + room)]
            let first = binds.count + 1
            for item in part { try bind(&binds, item) }
            parts.append(
                "w\(parts.count) AS (INSERT INTO \(target) VALUES \(placeholders(rows: part.count, columns: columns, from: first)) \(tail))")
            start += part.count
        }
    }

    private mutating func flush() {
        guard !parts.isEmpty else { return }
        sent.append(PostgresQuery(unsafeSQL: "WITH " + parts.joined(separator: ", ") + " SELECT 1", binds: binds))
        parts = []
        binds = PostgresBindings()
    }

    /// Sends the statement (or statements), in order.
    mutating func run(on tx: PostgresConnection, logger: Logger) async throws {
        flush()
        for query in sent { try await tx.query(query, logger: logger) }
        sent = []
    }
}
