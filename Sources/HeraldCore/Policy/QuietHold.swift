import HeraldICU

/// What a person's quiet hours do to a message due at an instant: the one rule for planning a message (the
/// planner's `quiet_hours` step) and for reviewing one that waits (`Consent.review`, at each change of a
/// preference and at hand-over). Each caller words the outcome for its own record.
public struct QuietHold: Sendable {
    /// The window in force, nil when the person has none, and where it comes from.
    public let window: QuietHours?
    public let source: String
    /// When the quiet window that holds the instant ends; nil when the instant is outside it (or no window).
    public let end: Int64?

    public enum Outcome: Sendable, Equatable {
        /// Not inside quiet hours (or none): it goes at its time.
        case outside
        /// Inside, but the template is urgent: it goes at its time.
        case urgent
        /// Held until the window ends.
        case until(Int64)
        /// The window ends at or after the message expires: it would never be worth sending.
        case outlives(Int64)
    }

    public init(at instant: Int64, contact: Contact, config: PolicyConfig, zone: Zone) {
        (window, source) = contact.effectiveQuietHours(config: config)
        end = window.flatMap { Clock.quietEnd(at: instant, zone: zone, window: $0) }
    }

    /// The outcome for a message of `priority` that is worth sending until `expires`.
    public func outcome(priority: Template.Priority, expires: Int64) -> Outcome {
        guard let end else { return .outside }
        if priority == .urgent { return .urgent }
        return end >= expires ? .outlives(end) : .until(end)
    }
}
