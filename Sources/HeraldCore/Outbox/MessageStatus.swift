import Foundation

/// Where a message is in its life. Waiting: `queued`, `deferred`, `retry`, `disabled`; in flight: `sending`;
/// handed over: `sent`; final: `delivered`, `failed`, `expired`, `cancelled`.
public enum MessageStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Due now.
    case queued
    /// Due later: quiet hours or a schedule.
    case deferred
    /// A transient failure; due again at its next attempt.
    case retry
    /// Held while sending is switched off (`HERALD_SMS_ENABLED=false`); sent when it is switched on, if still alive.
    case disabled
    /// Claimed by a worker; picked up again when the claim's lease runs out (a worker that died).
    case sending
    /// Accepted by the provider.
    case sent
    /// The provider reported it delivered.
    case delivered
    /// Refused by the provider, out of attempts, or reported undelivered.
    case failed
    /// Its time to live ran out before it could be sent, or the provider reported it expired.
    case expired
    /// Withdrawn before it was sent: the person opted out (a STOP reply, a preference change) while it waited.
    case cancelled

    /// The statuses the worker takes due messages from.
    public static let waiting: [MessageStatus] = [.queued, .deferred, .retry, .disabled]

    /// Why `text` is not a status, worded once for every filter (the CLI's `--status`, the API's `?status`); nil
    /// when it is one.
    public static func problem(_ text: String) -> String? {
        MessageStatus(rawValue: text) == nil ? "'\(text)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))" : nil
    }

    public var description: String { rawValue }

    /// The status named `text`, or the one wording of why it is none (`problem`).
    public static func parse(_ text: String) throws(ValueProblem) -> MessageStatus {
        guard let status = MessageStatus(rawValue: text) else { throw ValueProblem(problem(text)!) }
        return status
    }

    public var isFinal: Bool { self == .delivered || self == .failed || self == .expired || self == .cancelled }

    /// The state machine of delivery reports: a report moves a message only once it was handed to a provider
    /// (`sending`: accepted but not yet recorded, or `sent`), and only to a final status. Why not, otherwise.
    public func refusesReport() -> String? {
        switch self {
        case .sending, .sent: nil
        case .delivered, .failed, .expired: "it is already \(rawValue); the first final report stands"
        case .cancelled: "it was cancelled before it was sent"
        case .queued, .deferred, .retry, .disabled: "it is \(rawValue): not handed to a provider yet"
        }
    }
}

/// Why a value given by a user is refused, worded once.
public struct ValueProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
