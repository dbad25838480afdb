import Foundation
import GRDB
import HeraldCore

/// A message in the outbox, as operators see it.
public struct StoredMessage: Sendable, Codable, Equatable {
    public var id: Int64
    public var event: String
    public var template: String
    public var contact: String
    /// E.164; mask it before showing it (`PhoneNumber.mask(e164:)`).
    public var phone: String
    public var category: String
    public var priority: String
    public var locale: String
    public var timeZone: String
    public var text: String
    public var encoding: String
    public var units: Int
    public var segments: Int
    public var status: String
    /// Why the policy left it in its status, when it did: `opted_out` (cancelled), `quiet_hours` (deferred),
    /// `expired`.
    public var reason: String?
    /// ISO 8601 UTC.
    public var createdAt: String
    public var dueAt: String
    public var expiresAt: String
    /// Attempts to send so far.
    public var attempts: Int
    /// The provider's id, once accepted.
    public var providerID: String?
    /// The latest failure, or why it ended as it did.
    public var lastError: String?
    public var sentAt: String?
    /// When it reached delivered, failed or expired.
    public var finishedAt: String?
    /// The message this one sends again (a resend by staff).
    public var resendOf: Int64?

    init(row: Row) {
        id = row["id"]
        event = row["eventId"]
        template = row["template"]
        contact = row["contactId"]
        phone = row["phone"]
        category = row["category"]
        priority = row["priority"]
        locale = row["locale"]
        timeZone = row["timeZone"]
        text = row["text"]
        encoding = row["encoding"]
        units = row["units"]
        segments = row["segments"]
        status = row["status"]
        reason = row["reason"]
        createdAt = Renderer.iso8601(ms: Double(row["createdAt"] as Int64))
        dueAt = Renderer.iso8601(ms: Double(row["dueAt"] as Int64))
        expiresAt = Renderer.iso8601(ms: Double(row["expiresAt"] as Int64))
        attempts = row["attempts"]
        providerID = row["providerId"]
        lastError = row["lastError"]
        sentAt = (row["sentAt"] as Int64?).map { Renderer.iso8601(ms: Double($0)) }
        finishedAt = (row["finishedAt"] as Int64?).map { Renderer.iso8601(ms: Double($0)) }
        resendOf = row["resendOf"]
    }

    /// Masks the phone number, and the contact id when it is a number, for showing.
    public mutating func mask() {
        phone = PhoneNumber.mask(e164: phone)
        contact = PhoneNumber.maskID(contact)
    }
}

/// Everything recorded about an event: what it said, which rules matched, each decision with its trace, and the
/// messages written.
public struct Explanation: Sendable, Codable {
    public var event: String
    public var type: String
    /// When it happened; the time it was received when the event gave no `occurredAt` (`occurredAtGiven` false).
    public var occurredAt: String
    public var occurredAtGiven: Bool
    public var receivedAt: String
    public var payload: JSONValue
    public var rules: [RuleTrace]
    public var decisions: [Decision]
    public var messages: [StoredMessage]
}

/// Which messages to list.
public struct MessageFilter: Sendable {
    public var status: String?
    public var contact: String?
    public var template: String?
    public var event: String?
    /// Created at or after / before, epoch milliseconds.
    public var since: Int64?
    public var until: Int64?
    /// Only messages with an id below this (the next page, newest first).
    public var before: Int64?
    public var limit: Int

    public init(
        status: String? = nil, contact: String? = nil, template: String? = nil, event: String? = nil,
        since: Int64? = nil, until: Int64? = nil, before: Int64? = nil, limit: Int = 100
    ) {
        self.status = status
        self.contact = contact
        self.template = template
        self.event = event
        self.since = since
        self.until = until
        self.before = before
        self.limit = limit
    }
}

extension Store {
    /// Messages newest first.
    public func messages(_ filter: MessageFilter) throws -> [StoredMessage] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let s = filter.status { clauses.append("status = ?"); arguments.append(s) }
        if let c = filter.contact { clauses.append("contactId = ?"); arguments.append(c) }
        if let t = filter.template { clauses.append("template = ?"); arguments.append(t) }
        if let e = filter.event { clauses.append("eventId = ?"); arguments.append(e) }
        if let t = filter.since { clauses.append("createdAt >= ?"); arguments.append(t) }
        if let t = filter.until { clauses.append("createdAt < ?"); arguments.append(t) }
        if let b = filter.before { clauses.append("id < ?"); arguments.append(b) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments.append(filter.limit)
        let sql = "SELECT * FROM message \(whereSQL) ORDER BY id DESC LIMIT ?"
        return try writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(StoredMessage.init(row:))
        }
    }

    /// Counts of messages by status.
    public func messageCounts() throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM message GROUP BY status") {
                out[row["status"]] = row["n"]
            }
            return out
        }
    }

    /// The record of an event, optionally only what concerns one contact; nil when the event is unknown.
    public func explain(event eventID: String, contact: String? = nil) throws -> Explanation? {
        try writer.read { db -> Explanation? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                return nil
            }
            let decoder = JSONDecoder()
            let payload = try decoder.decode(JSONValue.self, from: Data((row["payload"] as String).utf8))
            let rules = try decoder.decode([RuleTrace].self, from: Data((row["rules"] as String).utf8))
            var decisions = try String.fetchAll(
                db, sql: "SELECT body FROM decision WHERE eventId = ? ORDER BY id", arguments: [eventID]
            ).map { try decoder.decode(Decision.self, from: Data($0.utf8)) }
            var messages = try Row.fetchAll(
                db, sql: "SELECT * FROM message WHERE eventId = ? ORDER BY id", arguments: [eventID]
            ).map(StoredMessage.init(row:))
            if let contact {
                decisions = decisions.filter { $0.contact == contact }
                messages = messages.filter { $0.contact == contact }
            }
            return Explanation(
                event: eventID, type: row["type"], occurredAt: Renderer.iso8601(ms: Double(row["occurredAt"] as Int64)),
                occurredAtGiven: payload["occurredAt"] != nil, receivedAt: Renderer.iso8601(ms: Double(row["receivedAt"] as Int64)), payload: payload, rules: rules,
                decisions: decisions, messages: messages)
        }
    }

    /// The ids of the latest events that reached a contact, newest first.
    public func events(forContact contact: String, limit: Int = 20) throws -> [String] {
        try writer.read { db in
            try String.fetchAll(
                db, sql: "SELECT eventId FROM decision WHERE contactId = ? GROUP BY eventId ORDER BY MAX(id) DESC LIMIT ?",
                arguments: [contact, limit])
        }
    }
}
