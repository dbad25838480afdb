import Foundation
import HeraldCore
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
        let inserted = try await insertRows(
            tx, into: "event (id, type, occurred_at, received_at, payload, rules)", columns: 6, plans,
            tail: "ON CONFLICT (id) DO NOTHING RETURNING id"
        ) { b, plan in
            let e = plan.event
            b.append(e.id); b.append(e.type); b.append(e.occurred(receivedAt: now)); b.append(now); b.append(e.json())
            b.append(plan.rules.serialized)
        }
        if inserted.count < plans.count { throw Retry() }
        try await save(plans.flatMap(\.contacts), tx: tx, now: now)
        var rows: [(eventID: String, decision: Decision, message: OutboxMessage?)] = []
        for plan in plans {
            for (index, decision) in plan.decisions.enumerated() {
                rows.append((plan.event.id, decision, plan.messages[index]))
            }
        }
        let stored = try await insert(rows, tx: tx, now: now)
        var out: [[Decision]] = []
        var offset = 0
        for plan in plans {
            out.append(Array(stored[offset..<offset + plan.decisions.count]))
            offset += plan.decisions.count
        }
        return out
    }

    /// Writes decisions and their outbox messages; returns the decisions with their message ids.
    func insert(_ rows: [(eventID: String, decision: Decision, message: OutboxMessage?)], tx: PostgresConnection, now: Int64)
        async throws -> [Decision]
    {
        let wanted = rows.filter { $0.message != nil }.count
        var ids: [Int64] = []
        if wanted > 0 {
            ids = try await tx.rows("SELECT nextval('message_id_seq') AS id FROM generate_series(1, \(wanted))", logger: logger)
                .map { try $0("id", as: Int64.self) }
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
        try await insertRows(
            tx,
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
        try await insertRows(
            tx, into: "decision (event_id, template, contact_id, action, reason, message_id, decided_at, body)",
            columns: 8, Array(zip(rows.map(\.eventID), decisions))
        ) { b, item in
            let (eventID, d) = item
            b.append(eventID); b.append(d.template); b.append(d.contact); b.append(d.action.rawValue)
            b.append(d.reason?.rawValue); b.append(d.messageID); b.append(now); b.append(d.serialized)
        }
        if !messages.isEmpty { try await notifyDue(tx) }
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
        if !snapshot.missingContacts.isEmpty {
            let asked = Array(snapshot.missingContacts)
            let found = try await conn.rows(
                "SELECT \(unescaped: Self.contactColumns) FROM contact WHERE id = ANY(\(asked))", logger: logger
            ).map(Self.contact)
            snapshot.learn(contacts: found, asked: asked)
        }
        for (since, keys) in Dictionary(grouping: snapshot.missingCounts, by: \.since) {
            let asked = keys.map(\.contact)
            var counts: [String: Int] = [:]
            for row in try await conn.rows(
                """
                SELECT contact_id, COUNT(*) AS n FROM message
                WHERE contact_id = ANY(\(asked)) AND created_at >= \(since) GROUP BY contact_id
                """, logger: logger)
            {
                counts[try row("contact_id")] = try row("n")
            }
            for key in keys { snapshot.learn(count: counts[key.contact, default: 0], for: key) }
        }
        for (eventID, keys) in Dictionary(grouping: snapshot.missingDecisions, by: \.eventID) {
            let asked = keys.map(\.contact)
            let decided = Set(try await conn.rows(
                "SELECT DISTINCT contact_id FROM decision WHERE event_id = \(eventID) AND contact_id = ANY(\(asked))",
                logger: logger
            ).map { try $0("contact_id", as: String.self) })
            for key in keys { snapshot.learn(decided: decided.contains(key.contact), for: key) }
        }
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
            try await save(plans.compactMap(\.contact), tx: tx, now: now)
            return try await insert(plans.map { (eventID, $0.decision, $0.message) }, tx: tx, now: now)
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

extension PostgresStore {
    /// Inserts rows with one multi-row `VALUES` per chunk (PostgreSQL takes at most 65,535 parameters a
    /// statement); the values are bind parameters. Returns what `tail`'s `RETURNING` gave.
    @discardableResult
    func insertRows<T>(
        _ tx: PostgresConnection, into target: String, columns: Int, _ items: [T], tail: String = "",
        bind: (inout PostgresBindings, T) throws -> Void
    ) async throws -> [Columns] {
        var out: [Columns] = []
        let chunk = max(1, 60_000 / columns)
        var start = 0
        while start < items.count {
            let part = items[start..<min(items.count, start + chunk)]
            var binds = PostgresBindings(capacity: part.count * columns)
            for item in part { try bind(&binds, item) }
            let sql = "INSERT INTO \(target) VALUES \(placeholders(rows: part.count, columns: columns)) \(tail)"
            out += try await tx.rows(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            start += chunk
        }
        return out
    }
}
