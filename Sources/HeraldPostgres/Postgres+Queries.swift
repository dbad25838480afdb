import Foundation
import HeraldCore
import PostgresNIO

/// Reading the log: messages, attempts, events, explanations, counts and statistics.
extension PostgresStore {
    static let messageColumns = """
        id, event_id, template, contact_id, phone, category, priority, locale, time_zone, text, encoding, units,
        segments, status, reason, created_at, due_at, expires_at, attempts, provider_id, last_error, sent_at,
        finished_at, resend_of
        """

    static func message(_ row: Columns) throws -> StoredMessage {
        var m = StoredMessage()
        m.id = try row("id")
        m.event = try row("event_id")
        m.template = try row("template")
        m.contact = try row("contact_id")
        m.phone = try row("phone")
        m.category = try row("category")
        m.priority = try row("priority")
        m.locale = try row("locale")
        m.timeZone = try row("time_zone")
        m.text = try row("text")
        m.encoding = try row("encoding")
        m.units = try row("units")
        m.segments = try row("segments")
        m.status = MessageStatus(rawValue: try row("status")) ?? .queued
        m.reason = try row.optional("reason", as: String.self).flatMap(Consent.Reason.init(rawValue:))
        m.createdAt = Instant(ms: try row("created_at"))
        m.dueAt = Instant(ms: try row("due_at"))
        m.expiresAt = Instant(ms: try row("expires_at"))
        m.attempts = try row("attempts")
        m.providerID = try row.optional("provider_id")
        m.lastError = try row.optional("last_error")
        m.sentAt = try row.optional("sent_at", as: Int64.self).map(Instant.init(ms:))
        m.finishedAt = try row.optional("finished_at", as: Int64.self).map(Instant.init(ms:))
        m.resendOf = try row.optional("resend_of")
        return m
    }

    static func event(_ row: Columns) throws -> StoredEvent {
        let payload: String = try row("payload")
        return StoredEvent(
            id: try row("id"), type: try row("type"), occurredAt: try row("occurred_at"), receivedAt: try row("received_at"),
            payload: (try? JSONValue.parse(Data(payload.utf8))) ?? .null)
    }

    public func message(id: Int64) async throws -> StoredMessage? {
        try await read { conn in
            try await conn.rows("SELECT \(unescaped: Self.messageColumns) FROM message WHERE id = \(id)", logger: logger)
                .first.map(Self.message)
        }
    }

    public func attempts(message id: Int64) async throws -> [AttemptRecord] {
        try await read { conn in
            try await conn.rows("SELECT * FROM attempt WHERE message_id = \(id) ORDER BY id", logger: logger).map { row in
                AttemptRecord(
                    messageID: id, number: try row("number"), sender: try row("sender"),
                    startedAt: Instant(ms: try row("started_at")), latencyMs: try row("latency_ms"),
                    outcome: AttemptRecord.Outcome(rawValue: try row("outcome")) ?? .transient,
                    httpStatus: try row.optional("http_status"), error: try row.optional("error"),
                    providerID: try row.optional("provider_id"),
                    result: MessageStatus(rawValue: try row("result")) ?? .retry,
                    nextAt: try row.optional("next_at", as: Int64.self).map(Instant.init(ms:)))
            }
        }
    }

    public func reports(message id: Int64) async throws -> [ReceivedReport] {
        try await read { conn in
            try await conn.rows(
                "SELECT reference, status, error_code, received_at FROM report WHERE message_id = \(id) ORDER BY id", logger: logger
            ).map { row in
                ReceivedReport(
                    reference: try row("reference"), status: try row("status"), errorCode: try row.optional("error_code"),
                    receivedAt: Instant(ms: try row("received_at")))
            }
        }
    }

    /// Messages newest first. Every filter is a bind parameter; an absent one matches everything.
    public func messages(_ f: MessageFilter) async throws -> [StoredMessage] {
        try await read { conn in
            try await conn.rows(
                """
                SELECT \(unescaped: Self.messageColumns) FROM message
                WHERE (\(f.status?.rawValue)::text IS NULL OR status = \(f.status?.rawValue))
                    AND (\(f.contact)::text IS NULL OR contact_id = \(f.contact))
                    AND (\(f.template)::text IS NULL OR template = \(f.template))
                    AND (\(f.event)::text IS NULL OR event_id = \(f.event))
                    AND created_at >= \(f.since ?? Int64.min) AND created_at < \(f.until ?? Int64.max)
                    AND id < \(f.before ?? Int64.max)
                ORDER BY id DESC LIMIT \(f.limit)
                """, logger: logger
            ).map(Self.message)
        }
    }

    public func messageCounts() async throws -> [String: Int] {
        try await read { conn in
            var out: [String: Int] = [:]
            for row in try await conn.rows("SELECT status, COUNT(*) AS n FROM message GROUP BY status", logger: logger) {
                out[try row("status")] = try row("n")
            }
            return out
        }
    }

    public func segmentsHandedOver() async throws -> Int {
        try await read { conn in
            try await conn.rows(
                "SELECT COALESCE(SUM(segments), 0) AS n FROM message WHERE status IN ('sent', 'delivered')", logger: logger
            )[0]("n")
        }
    }

    public func totals() async throws -> StorageTotals {
        try await read { conn in
            let row = try await conn.rows(
                """
                SELECT (SELECT COUNT(*) FROM event) AS events, (SELECT COUNT(*) FROM decision) AS decisions,
                    (SELECT COUNT(*) FROM message) AS messages, (SELECT COUNT(*) FROM contact) AS contacts
                """, logger: logger)[0]
            return StorageTotals(
                events: try row("events"), decisions: try row("decisions"), messages: try row("messages"),
                contacts: try row("contacts"))
        }
    }

    public func hasEvent(_ id: String) async throws -> Bool {
        try await read { conn in
            try await !conn.rows("SELECT 1 FROM event WHERE id = \(id)", logger: logger).isEmpty
        }
    }

    public func event(id: String) async throws -> StoredEvent? {
        try await read { conn in
            try await conn.rows("SELECT * FROM event WHERE id = \(id)", logger: logger).first.map(Self.event)
        }
    }

    public func events(type: String, limit: Int) async throws -> [StoredEvent] {
        try await read { conn in
            try await conn.rows(
                "SELECT * FROM event WHERE type = \(type) ORDER BY received_at DESC LIMIT \(limit)", logger: logger
            ).map(Self.event)
        }
    }

    public func events(forContact contact: String, window: TimeWindow, limit: Int) async throws -> [String] {
        try await read { conn in
            try await conn.rows(
                """
                SELECT event_id FROM decision
                WHERE contact_id = \(contact) AND decided_at >= \(window.since ?? Int64.min)
                    AND decided_at < \(window.until ?? Int64.max)
                GROUP BY event_id ORDER BY MAX(id) DESC LIMIT \(limit)
                """, logger: logger
            ).map { try $0("event_id", as: String.self) }
        }
    }

    public func explain(event eventID: String, contact: String?) async throws -> Explanation? {
        try await read { conn -> Explanation? in
            guard let row = try await conn.rows("SELECT * FROM event WHERE id = \(eventID)", logger: logger).first else {
                return nil
            }
            let decoder = JSONDecoder()
            let payload = try decoder.decode(JSONValue.self, from: Data((try row("payload", as: String.self)).utf8))
            let rules = try decoder.decode([RuleTrace].self, from: Data((try row("rules", as: String.self)).utf8))
            let decisions = try await conn.rows(
                """
                SELECT body FROM decision WHERE event_id = \(eventID) AND (\(contact)::text IS NULL OR contact_id = \(contact))
                ORDER BY id
                """, logger: logger
            ).map { try decoder.decode(Decision.self, from: Data((try $0("body", as: String.self)).utf8)) }
            let messages = try await conn.rows(
                """
                SELECT \(unescaped: Self.messageColumns) FROM message
                WHERE event_id = \(eventID) AND (\(contact)::text IS NULL OR contact_id = \(contact)) ORDER BY id
                """, logger: logger
            ).map(Self.message)
            return Explanation(
                event: eventID, type: try row("type"), occurredAt: Instant(ms: try row("occurred_at")),
                occurredAtGiven: payload["occurredAt"] != nil, receivedAt: Instant(ms: try row("received_at")),
                payload: payload, rules: rules, decisions: decisions, messages: messages)
        }
    }

    public func campaignCounts(_ eventID: String) async throws -> CampaignCounts {
        try await read { conn in
            var counts = CampaignCounts()
            for row in try await conn.rows(
                "SELECT action, reason, COUNT(*) AS n FROM decision WHERE event_id = \(eventID) GROUP BY action, reason",
                logger: logger)
            {
                let n: Int = try row("n")
                counts.decided += n
                switch try row("action", as: String.self) {
                case "send": counts.queued += n
                case "defer": counts.deferred += n
                default: counts.suppressed[try row.optional("reason") ?? "unknown", default: 0] += n
                }
            }
            for row in try await conn.rows(
                """
                SELECT status, COUNT(*) AS n, SUM(segments) AS s FROM message WHERE event_id = \(eventID) GROUP BY status
                """, logger: logger)
            {
                counts.messages[try row("status")] = try row("n")
                counts.segments += try row("s", as: Int.self)
            }
            return counts
        }
    }

    public func statistics(since: Int64?, until: Int64?, contact: String?) async throws -> Statistics {
        try await read { conn in
            let from = since ?? Int64.min
            let to = until ?? Int64.max
            let groups = try await conn.rows(
                """
                SELECT m.template, e.type, m.status, m.locale,
                    to_char(to_timestamp(m.created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                    COUNT(*) AS n, SUM(m.segments) AS s
                FROM message m JOIN event e ON e.id = m.event_id
                WHERE m.created_at >= \(from) AND m.created_at < \(to) AND (\(contact)::text IS NULL OR m.contact_id = \(contact))
                GROUP BY m.template, e.type, m.status, m.locale, day
                """, logger: logger
            ).map { row in
                Statistics.Group(
                    template: try row("template"), eventType: try row("type"), status: try row("status"),
                    locale: try row("locale"), day: try row("day"), messages: try row("n"), segments: try row("s"))
            }
            let reported: Int = try await conn.rows(
                """
                SELECT COUNT(*) AS n FROM message m
                WHERE m.created_at >= \(from) AND m.created_at < \(to) AND (\(contact)::text IS NULL OR m.contact_id = \(contact))
                    AND m.sent_at IS NOT NULL AND m.status IN ('delivered', 'failed', 'expired')
                """, logger: logger)[0]("n")
            let a = try await conn.rows(
                """
                SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE a.outcome = 'accepted') AS accepted,
                    COUNT(*) FILTER (WHERE a.outcome = 'transient') AS transient,
                    COUNT(*) FILTER (WHERE a.outcome = 'permanent') AS permanent, AVG(a.latency_ms)::float8 AS latency
                FROM attempt a JOIN message m ON m.id = a.message_id
                WHERE m.created_at >= \(from) AND m.created_at < \(to) AND (\(contact)::text IS NULL OR m.contact_id = \(contact))
                """, logger: logger)[0]
            let attempts = Statistics.AttemptTotals(
                total: try a("total"), accepted: try a("accepted"), transient: try a("transient"),
                permanent: try a("permanent"), averageLatencyMs: try a.optional("latency"))
            var suppressed: [String: Int] = [:]
            for row in try await conn.rows(
                """
                SELECT reason, COUNT(*) AS n FROM decision
                WHERE action = 'suppress' AND decided_at >= \(from) AND decided_at < \(to)
                    AND (\(contact)::text IS NULL OR contact_id = \(contact))
                GROUP BY reason
                """, logger: logger)
            {
                suppressed[try row.optional("reason") ?? "unknown"] = try row("n")
            }
            return Statistics(
                since: since, until: until, contact: contact, groups: groups, reported: reported, attempts: attempts,
                suppressed: suppressed)
        }
    }

    // MARK: settings kept with the data

    public func meta(_ key: String) async throws -> String? {
        try await read { conn in
            try await conn.rows("SELECT value FROM meta WHERE key = \(key)", logger: logger).first.map { try $0("value") }
        }
    }

    public func meta(_ key: String, orMake make: @escaping @Sendable () -> String) async throws -> String {
        let made = make()
        return try await transaction { tx in
            try await tx.query(
                "INSERT INTO meta (key, value) VALUES (\(key), \(made)) ON CONFLICT (key) DO NOTHING", logger: logger)
            return try await tx.rows("SELECT value FROM meta WHERE key = \(key)", logger: logger)[0]("value")
        }
    }

    public func setMeta(_ key: String, _ value: String) async throws {
        try await transaction { tx in
            try await tx.query(
                """
                INSERT INTO meta (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
    }
}
