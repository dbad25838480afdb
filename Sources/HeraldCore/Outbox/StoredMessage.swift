import Foundation

/// A message in the outbox, as operators see it.
public struct StoredMessage: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var event: String = ""
    public var template: String = ""
    public var contact: String = ""
    /// E.164; mask it before showing it (`PhoneNumber.mask(e164:)`).
    public var phone: String = ""
    public var category: String = ""
    public var priority: String = ""
    public var locale: String = ""
    public var timeZone: String = ""
    public var text: String = ""
    public var encoding: String = ""
    public var units: Int = 0
    public var segments: Int = 0
    public var status: MessageStatus = .queued
    /// Why the policy left it in its status, when it did: `opted_out` (cancelled), `quiet_hours` (deferred),
    /// `expired`.
    public var reason: Consent.Reason?
    public var createdAt = Instant(ms: 0)
    public var dueAt = Instant(ms: 0)
    public var expiresAt = Instant(ms: 0)
    /// Attempts to send so far.
    public var attempts: Int = 0
    /// The provider's id, once accepted.
    public var providerID: String?
    /// The latest failure, or why it ended as it did.
    public var lastError: String?
    public var sentAt: Instant?
    /// When it reached delivered, failed or expired.
    public var finishedAt: Instant?
    /// The message this one sends again (a resend by staff).
    public var resendOf: Int64?

    public init() {}


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
    public var occurredAt: Instant
    public var occurredAtGiven: Bool
    public var receivedAt: Instant
    public var payload: JSONValue
    public var rules: [RuleTrace]
    public var decisions: [Decision]
    public var messages: [StoredMessage]

    public init(
        event: String,
        type: String,
        occurredAt: Instant,
        occurredAtGiven: Bool,
        receivedAt: Instant,
        payload: JSONValue,
        rules: [RuleTrace],
        decisions: [Decision],
        messages: [StoredMessage]
    ) {
        self.event = event
        self.type = type
        self.occurredAt = occurredAt
        self.occurredAtGiven = occurredAtGiven
        self.receivedAt = receivedAt
        self.payload = payload
        self.rules = rules
        self.decisions = decisions
        self.messages = messages
    }
}

/// Which messages to list.
public struct MessageFilter: Sendable {
    public var status: MessageStatus?
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
        status: MessageStatus? = nil, contact: String? = nil, template: String? = nil, event: String? = nil,
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
