import Foundation

/// A message a worker claimed: everything needed to send it.
public struct ClaimedMessage: Sendable, Equatable {
    public var id: Int64
    /// E.164.
    public var phone: String
    public var text: String
    public var encoding: String
    public var segments: Int
    public var template: String
    public var contact: String
    /// This attempt's number, from 1.
    public var attempt: Int
    public var expiresAt: Int64
    /// True when an earlier claim ran out without a recorded outcome (a worker stopped mid-send).
    public var reclaimed: Bool
    /// The same for every attempt at this message, unique across databases: `herald-<instance>-<id>`.
    public var idempotencyKey: String

    public init(
        id: Int64,
        phone: String,
        text: String,
        encoding: String,
        segments: Int,
        template: String,
        contact: String,
        attempt: Int,
        expiresAt: Int64,
        reclaimed: Bool,
        idempotencyKey: String
    ) {
        self.id = id
        self.phone = phone
        self.text = text
        self.encoding = encoding
        self.segments = segments
        self.template = template
        self.contact = contact
        self.attempt = attempt
        self.expiresAt = expiresAt
        self.reclaimed = reclaimed
        self.idempotencyKey = idempotencyKey
    }
}

/// One attempt to hand a message to a provider: its outcome and what becomes of the message. Written by the worker
/// (`Storage.record`), read back with the message (`Storage.attempts`, `GET /v1/messages/{id}`).
public struct AttemptRecord: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable, CustomStringConvertible {
        /// The provider took the message.
        case accepted
        /// May work later: a timeout, a refused connection, 5xx, 429.
        case transient
        /// Will not work: 4xx.
        case permanent

        public var description: String { rawValue }
    }

    public var messageID: Int64
    public var number: Int
    public var sender: String
    public var startedAt: Instant
    public var latencyMs: Int64
    public var outcome: Outcome
    public var httpStatus: Int?
    public var error: String?
    public var providerID: String?
    /// The message's status after this attempt: sent, retry, failed or expired.
    public var result: MessageStatus
    /// When it is tried again (for `retry`).
    public var nextAt: Instant?

    public init(
        messageID: Int64, number: Int, sender: String, startedAt: Instant, latencyMs: Int64, outcome: Outcome,
        httpStatus: Int? = nil, error: String? = nil, providerID: String? = nil, result: MessageStatus, nextAt: Instant? = nil
    ) {
        self.messageID = messageID
        self.number = number
        self.sender = sender
        self.startedAt = startedAt
        self.latencyMs = latencyMs
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.error = error
        self.providerID = providerID
        self.result = result
        self.nextAt = nextAt
    }
}

/// A provider's delivery report.
public struct DeliveryReport: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case delivered, failed, expired
    }

    /// The provider's message id, or Herald's (`42`, or the idempotency key `herald-<instance>-42`).
    public var reference: String
    public var status: Status
    public var errorCode: String?

    public init(reference: String, status: Status, errorCode: String? = nil) {
        self.reference = reference
        self.status = status
        self.errorCode = errorCode
    }
}

extension DeliveryReport {
    /// The keys a report in JSON may have: `reference` (or `id`, `messageId`), `status`, `errorCode` (or `error`).
    public static let jsonKeys: Set<String> = ["reference", "id", "messageId", "status", "errorCode", "error"]

    /// Reads one report from JSON, as `herald dlr` and `POST /v1/delivery-reports` take it.
    public static func parse(_ value: JSONValue) -> Result<DeliveryReport, RowProblem> {
        guard case .object = value else { return .failure(RowProblem("not a JSON object")) }
        for key in ["reference", "id", "messageId"] {
            switch value[key] {
            case nil, .string?, .number?: continue
            case let other?: return .failure(RowProblem("a reference is text (or a number), not \(other.kindName)", field: key))
            }
        }
        // Each given one is text or a number now (a null reads as absent), so its text is the reference.
        guard let reference = (value["reference"] ?? value["id"] ?? value["messageId"])?.text, !reference.isEmpty else {
            return .failure(RowProblem("no reference (the provider's or Herald's message id)", field: "reference"))
        }
        guard let text = value["status"]?.text else { return .failure(RowProblem("no status", field: "status")) }
        guard let status = Status(rawValue: text.lowercased()) else {
            return .failure(RowProblem("status '\(text)' is not delivered, failed or expired", field: "status"))
        }
        let code = value["errorCode"] ?? value["error"]
        switch code {
        case nil, .string?, .number?: break
        case let other?: return .failure(RowProblem("an error code is text (or a number), not \(other.kindName)", field: "errorCode"))
        }
        return .success(DeliveryReport(reference: reference, status: status, errorCode: code?.text))
    }
}

extension DeliveryReport {
    /// What this report makes of a message now `current` (`MessageStatus.refusesReport`): the status it takes,
    /// and why it stays as it is when it does.
    public func outcome(for current: MessageStatus) -> (status: MessageStatus, ignored: String?) {
        if let refusal = current.refusesReport() { return (current, refusal) }
        return (status.messageStatus, nil)
    }
}

extension DeliveryReport.Status {
    public var messageStatus: MessageStatus {
        switch self {
        case .delivered: .delivered
        case .failed: .failed
        case .expired: .expired
        }
    }
}

/// What a delivery report changed.
public struct ReportResult: Sendable, Equatable, Codable {
    public var reference: String
    /// Nil when no message matches: the report is kept, nothing else changes.
    public var messageID: Int64?
    public var previous: MessageStatus?
    public var status: MessageStatus?
    /// Why the report changed nothing, when it did not (it is kept all the same).
    public var ignored: String?

    public init(
        reference: String,
        messageID: Int64? = nil,
        previous: MessageStatus? = nil,
        status: MessageStatus? = nil,
        ignored: String? = nil
    ) {
        self.reference = reference
        self.messageID = messageID
        self.previous = previous
        self.status = status
        self.ignored = ignored
    }
}

/// A delivery report as kept, matched to its message: what the provider said, and when it came (whether it moved
/// the message or not).
public struct ReceivedReport: Sendable, Equatable, Codable {
    public var reference: String
    public var status: String
    public var errorCode: String?
    public var receivedAt: Instant

    public init(reference: String, status: String, errorCode: String?, receivedAt: Instant) {
        self.reference = reference
        self.status = status
        self.errorCode = errorCode
        self.receivedAt = receivedAt
    }
}
