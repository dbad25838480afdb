import Foundation
import GRDB
import HeraldCore

// The records Herald keeps, read from their rows.

extension StoredMessage {
    init(row: Row) {
        self.init()
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
}

extension StoredEvent {
    init(row: Row) {
        self.init(
            id: row["id"], type: row["type"], occurredAt: row["occurredAt"], receivedAt: row["receivedAt"],
            payload: (try? JSONValue.parse(Data((row["payload"] as String).utf8))) ?? .null)
    }
}

// Enums stored by their wire form.
extension MessageStatus: DatabaseValueConvertible {}
extension Consent.Reason: DatabaseValueConvertible {}
extension AttemptRecord.Outcome: DatabaseValueConvertible {}
