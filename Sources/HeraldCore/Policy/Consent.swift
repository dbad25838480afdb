import HeraldICU

/// A message waiting in the outbox, as the consent review sees it.
public struct WaitingMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Queued or deferred: its time may move with the person's quiet hours.
        case planned
        /// Waiting for a retry or held while sending is off: its time stays; only consent and expiry apply.
        case held
    }

    public var id: Int64
    public var kind: Kind
    public var category: String
    public var priority: Template.Priority
    /// E.164, as planned.
    public var phone: String
    /// When it is due (epoch ms).
    public var dueAt: Int64
    /// The earliest it may go apart from quiet hours: when it was planned, or its schedule.
    public var notBefore: Int64
    public var expiresAt: Int64

    public init(
        id: Int64, kind: Kind, category: String, priority: Template.Priority, phone: String, dueAt: Int64,
        notBefore: Int64, expiresAt: Int64
    ) {
        self.id = id
        self.kind = kind
        self.category = category
        self.priority = priority
        self.phone = phone
        self.dueAt = dueAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }
}

/// The one rule of consent for what already waits: whether a message may still go to the person, given their
/// preferences as they are now. The worker applies it in the transaction that claims a message for the provider,
/// and every preference change applies it to the person's waiting messages in the transaction that changes them.
public enum Consent {
    /// Why a message was withdrawn or held, in its wire form.
    public enum Reason: String, Sendable, Codable, CustomStringConvertible {
        case optedOut = "opted_out"
        case quietHours = "quiet_hours"
        case expired

        public var description: String { rawValue }
    }

    public enum Verdict: Sendable, Equatable {
        /// It may go at `dueAt`, to `phone` (the person's current number).
        case due(at: Int64, phone: String)
        /// Held by quiet hours until `until`.
        case quiet(until: Int64, phone: String, detail: String)
        /// It must never go: the person opted out.
        case cancel(Reason, detail: String)
        /// Too late to be worth sending.
        case expire(detail: String)
    }

    /// Messages of these categories answer the person's own keyword (the confirmation of STOP or START): they are
    /// the one message sent after an opt-out.
    public static let keywordReply = "keyword_reply"

    /// Reviews a waiting message at `now` against the person's current preferences (`contact` nil: no preferences
    /// are known, as for a raw send to a number).
    public static func review(_ message: WaitingMessage, contact: Contact?, config: PolicyConfig, now: Int64) -> Verdict {
        if let contact, message.category != keywordReply {
            if contact.optedOutAll {
                return .cancel(.optedOut, detail: "opted out of every message")
            }
            if contact.optedOutCategories.contains(message.category) {
                return .cancel(.optedOut, detail: "opted out of \(message.category)")
            }
        }
        let phone = contact?.phone ?? message.phone
        let base = message.kind == .planned ? max(now, message.notBefore) : max(now, message.dueAt)
        if base >= message.expiresAt {
            return .expire(detail: "expired at \(Renderer.iso8601(ms: Double(message.expiresAt))), before it could be sent")
        }
        guard message.priority == .normal, let contact, message.kind == .planned || base <= now else {
            return .due(at: base, phone: phone)
        }
        let zoneName = contact.timeZone ?? config.defaultTimeZone
        guard let zone = Zone.named(zoneName) else { return .due(at: base, phone: phone) }
        let hold = QuietHold(at: base, contact: contact, config: config, zone: zone)
        let window = hold.window.map(\.description) ?? "none"
        switch hold.outcome(priority: message.priority, expires: message.expiresAt) {
        case .outside, .urgent:
            return .due(at: base, phone: phone)
        case .outlives(let end):
            return .expire(detail:
                "quiet hours \(window) (\(hold.source)) in \(zoneName) until \(Clock.localText(zone.local(end))) local, after it expires at \(Renderer.iso8601(ms: Double(message.expiresAt)))")
        case .until(let end):
            return .quiet(until: end, phone: phone, detail: "quiet hours \(window) (\(hold.source)) until \(Clock.localText(zone.local(end))) \(zoneName)")
        }
    }
}
