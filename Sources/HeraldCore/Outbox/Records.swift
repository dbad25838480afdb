import Foundation

/// Why a resend was refused.
public struct ResendRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case notFound = "not_found", optedOut = "opted_out", notFinished = "not_finished" }
    public var kind: Kind
    public var description: String

    public init(
        kind: Kind,
        description: String
    ) {
        self.kind = kind
        self.description = description
    }
}

extension ResendRefusal {
    /// The rule of resending, for every store: only a finished message (sent, delivered, failed, expired or
    /// cancelled) is sent again, and never to a person who has since opted out of its category. Nil when message
    /// `id` may be resent.
    public static func check(id: Int64, status: MessageStatus, category: String, contact: Contact?) -> ResendRefusal? {
        guard status == .sent || status.isFinal else {
            return ResendRefusal(
                kind: .notFinished,
                description: "message \(id) is \(status): it is still on its way; resend it once it is sent, failed, expired or cancelled")
        }
        if let contact, contact.optedOutAll || contact.optedOutCategories.contains(category) {
            return ResendRefusal(
                kind: .optedOut,
                description: "the contact opted out of \(contact.optedOutAll ? "every message" : category); nothing is resent")
        }
        return nil
    }

    public static func notFound(_ id: Int64) -> ResendRefusal { ResendRefusal(kind: .notFound, description: "no message \(id)") }
}

/// An event as stored.
public struct StoredEvent: Sendable {
    public var id: String
    public var type: String
    public var occurredAt: Int64
    public var receivedAt: Int64
    /// The envelope: id, type, occurredAt, data.
    public var payload: JSONValue

    public init(id: String, type: String, occurredAt: Int64, receivedAt: Int64, payload: JSONValue) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.payload = payload
    }
}

/// How far a campaign has come: its decisions by action and reason.
public struct CampaignCounts: Sendable, Codable, Equatable {
    public var decided = 0
    public var queued = 0
    public var deferred = 0
    public var suppressed: [String: Int] = [:]
    public var segments = 0
    /// Its messages by status.
    public var messages: [String: Int] = [:]

    public init() {}
}

/// Totals over the message log: what was sent, what failed, by template and event type.
public struct Statistics: Sendable, Codable, Equatable {
    /// Nil for all time.
    public var since: Instant?
    public var until: Instant?
    public var contact: String?
    public var messages: Int
    public var segments: Int
    public var byStatus: [String: Int]
    /// Sent or delivered: handed to the provider.
    public var handedOver: Int
    /// Failed or expired.
    public var failedOrExpired: Int
    /// Handed to the provider (sent or delivered) over messages that reached an outcome (those plus failed and
    /// expired); nil when none has.
    public var successRate: Double?
    public var failureRate: Double?
    /// Delivered over messages with a delivery report (delivered, failed after sending, reported expired).
    public var deliveredRate: Double?
    public var attempts: AttemptTotals
    /// Decisions not to send, by reason.
    public var suppressed: [String: Int]
    public var byTemplate: [String: [String: Int]]
    public var byEventType: [String: [String: Int]]
    /// Messages by locale, then status.
    public var byLocale: [String: [String: Int]] = [:]
    /// Messages by the UTC day they were created (`2026-11-23`), then status.
    public var byDay: [String: [String: Int]] = [:]
    /// Segments by the UTC day the messages were created.
    public var segmentsByDay: [String: Int] = [:]

    public struct AttemptTotals: Sendable, Codable, Equatable {
        public var total: Int
        public var accepted: Int
        public var transient: Int
        public var permanent: Int
        public var averageLatencyMs: Double?

        public init(
            total: Int,
            accepted: Int,
            transient: Int,
            permanent: Int,
            averageLatencyMs: Double? = nil
        ) {
            self.total = total
            self.accepted = accepted
            self.transient = transient
            self.permanent = permanent
            self.averageLatencyMs = averageLatencyMs
        }
    }

    public init(
        since: Instant? = nil,
        until: Instant? = nil,
        contact: String? = nil,
        messages: Int,
        segments: Int,
        byStatus: [String: Int],
        handedOver: Int,
        failedOrExpired: Int,
        successRate: Double? = nil,
        failureRate: Double? = nil,
        deliveredRate: Double? = nil,
        attempts: AttemptTotals,
        suppressed: [String: Int],
        byTemplate: [String: [String: Int]],
        byEventType: [String: [String: Int]]
    ) {
        self.since = since
        self.until = until
        self.contact = contact
        self.messages = messages
        self.segments = segments
        self.byStatus = byStatus
        self.handedOver = handedOver
        self.failedOrExpired = failedOrExpired
        self.successRate = successRate
        self.failureRate = failureRate
        self.deliveredRate = deliveredRate
        self.attempts = attempts
        self.suppressed = suppressed
        self.byTemplate = byTemplate
        self.byEventType = byEventType
    }
}

/// What became of one event.
public struct IngestResult: Sendable, Codable, Equatable {
    public var event: String
    public var type: String
    /// True when the event id was already stored: nothing new was created and the stored decisions are returned.
    public var duplicate: Bool
    public var decisions: [Decision]

    public init(
        event: String,
        type: String,
        duplicate: Bool,
        decisions: [Decision]
    ) {
        self.event = event
        self.type = type
        self.duplicate = duplicate
        self.decisions = decisions
    }
}

/// What a review of a person's waiting messages changed.
public struct ConsentChanges: Sendable, Equatable, Codable {
    /// Withdrawn: the person opted out.
    public var cancelled = 0
    /// Held (again, or longer) by quiet hours.
    public var deferred = 0
    /// Due sooner than before: quiet hours that no longer hold them.
    public var released = 0
    /// Too late to be worth sending.
    public var expired = 0

    public init() {}

    public mutating func add(_ other: ConsentChanges) {
        cancelled += other.cancelled
        deferred += other.deferred
        released += other.released
        expired += other.expired
    }
}

extension Statistics {
    /// One group of the message log: its template, event type and status, how many messages and segments.
    public struct Group: Sendable {
        public var template: String
        public var eventType: String
        public var status: String
        public var locale: String
        /// The UTC day the messages were created, `YYYY-MM-DD`.
        public var day: String
        public var messages: Int
        public var segments: Int

        public init(
            template: String, eventType: String, status: String, locale: String, day: String, messages: Int, segments: Int
        ) {
            self.template = template
            self.eventType = eventType
            self.status = status
            self.locale = locale
            self.day = day
            self.messages = messages
            self.segments = segments
        }
    }

    /// The statistics of what a store counted: every store groups its log the same way, and the totals and rates
    /// are worked out here once. `reported`: messages sent that have a delivery outcome.
    public init(
        since: Int64?, until: Int64?, contact: String?, groups: [Group], reported: Int, attempts: AttemptTotals,
        suppressed: [String: Int]
    ) {
        var byStatus: [String: Int] = [:]
        var byTemplate: [String: [String: Int]] = [:]
        var byEventType: [String: [String: Int]] = [:]
        var byLocale: [String: [String: Int]] = [:]
        var byDay: [String: [String: Int]] = [:]
        var segmentsByDay: [String: Int] = [:]
        var messages = 0
        var segments = 0
        for g in groups {
            messages += g.messages
            segments += g.segments
            byStatus[g.status, default: 0] += g.messages
            byTemplate[g.template, default: [:]][g.status, default: 0] += g.messages
            byEventType[g.eventType, default: [:]][g.status, default: 0] += g.messages
            byLocale[g.locale, default: [:]][g.status, default: 0] += g.messages
            byDay[g.day, default: [:]][g.status, default: 0] += g.messages
            segmentsByDay[g.day, default: 0] += g.segments
        }
        let handed = byStatus["sent", default: 0] + byStatus["delivered", default: 0]
        let bad = byStatus["failed", default: 0] + byStatus["expired", default: 0]
        let finished = handed + bad
        self.init(
            since: since.map(Instant.init(ms:)), until: until.map(Instant.init(ms:)), contact: contact,
            messages: messages, segments: segments, byStatus: byStatus, handedOver: handed, failedOrExpired: bad,
            successRate: finished == 0 ? nil : Double(handed) / Double(finished),
            failureRate: finished == 0 ? nil : Double(bad) / Double(finished),
            deliveredRate: reported == 0 ? nil : Double(byStatus["delivered", default: 0]) / Double(reported),
            attempts: attempts, suppressed: suppressed, byTemplate: byTemplate, byEventType: byEventType)
        self.byLocale = byLocale
        self.byDay = byDay
        self.segmentsByDay = segmentsByDay
    }
}
