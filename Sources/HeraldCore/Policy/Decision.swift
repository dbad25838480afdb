/// What Herald decided for one person an event reached.
public struct Decision: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable {
        case send
        /// Stored with the time it becomes due: the end of quiet hours, or a scheduled time.
        case `defer`
        case suppress
    }

    /// Why a message is not sent.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case optedOut = "opted_out"
        case noPhone = "no_phone"
        case invalidPhone = "invalid_phone"
        case selfAction = "self_action"
        case rateLimited = "rate_limited"
        case expired
        case smsDisabled = "sms_disabled"
        /// The rendered message takes more segments than its template's `segmentBudget`.
        case overBudget = "over_budget"
    }

    public var template: String
    /// The audience path the person was found at (`assignee`, `customer`).
    public var audience: String
    public var contact: String
    public var action: Action
    public var reason: Reason?
    /// One line for people: why, e.g. "opted out of billing", "quiet hours until 08:00 Africa/Tunis".
    public var detail: String
    /// The category a suppression by opt-out concerns (`all` for everything).
    public var category: String?
    /// When a deferred message becomes due (ISO 8601 UTC).
    public var dueAt: String?
    public var expiresAt: String?
    /// The outbox message, for send and defer.
    public var messageID: Int64?
    /// The locale and zone it was (or would have been) written for.
    public var locale: String?
    public var timeZone: String?
    /// Every check consulted, in order.
    public var trace: [Step]

    public struct Step: Sendable, Equatable, Codable {
        /// What was looked at: `rule`, `contact`, `phone`, `opt_out`, `language`, `expiry`, `rate_limit`, `quiet_hours`, `render`.
        public var check: String
        /// `pass`, `fail`, `info`, `defer`.
        public var outcome: String
        public var detail: String

        public init(_ check: String, _ outcome: String, _ detail: String) {
            self.check = check
            self.outcome = outcome
            self.detail = detail
        }
    }
}

/// How one rule (template) fared against an event.
public struct RuleTrace: Sendable, Equatable, Codable {
    public var template: String
    public var matched: Bool
    /// Conditions and audience lookups, in order, each with its result.
    public var notes: [String]
    /// The contact ids it reached.
    public var candidates: [String]
}
