import Foundation
import HeraldCore

/// One SMS handed to a sender.
public struct OutgoingSMS: Sendable, Equatable {
    public var messageID: Int64
    /// E.164 (`+251911234567`).
    public var to: String
    public var text: String
    /// `GSM-7` or `UCS-2`.
    public var encoding: String
    public var segments: Int
    /// Sent in a header so a provider can drop a resend: the same for every attempt at one message.
    public var idempotencyKey: String

    public init(messageID: Int64, to: String, text: String, encoding: String, segments: Int, idempotencyKey: String) {
        self.messageID = messageID
        self.to = to
        self.text = text
        self.encoding = encoding
        self.segments = segments
        self.idempotencyKey = idempotencyKey
    }

    public init(_ claimed: ClaimedMessage) {
        self.init(
            messageID: claimed.id, to: claimed.phone, text: claimed.text, encoding: claimed.encoding,
            segments: claimed.segments, idempotencyKey: claimed.idempotencyKey)
    }
}

/// What a provider made of one SMS.
public enum SendResult: Sendable, Equatable {
    /// Taken. `note` says what was odd about the answer (an id that could not be read).
    case accepted(providerID: String?, httpStatus: Int?, note: String?)
    /// May work later: a timeout, a refused connection, 5xx, 429 (`retryAfter` seconds when the provider said).
    case transient(error: String, httpStatus: Int?, retryAfter: Double?)
    /// Will not work as it is: 4xx.
    case permanent(error: String, httpStatus: Int?)

    public var outcome: AttemptRecord.Outcome {
        switch self {
        case .accepted: .accepted
        case .transient: .transient
        case .permanent: .permanent
        }
    }
}

/// Hands SMS to a provider. Implementations never throw: every failure is a `SendResult`.
public protocol Sender: Sendable {
    /// `http`, `log`: recorded with every attempt.
    var name: String { get }
    func send(_ sms: OutgoingSMS) async -> SendResult
    /// Releases connections and files.
    func shutdown() async
}
