import Foundation
import GRDB
import HeraldCore

// The records Herald keeps, read from their rows (GRDB's FetchableRecord: `StoredMessage.fetchAll(db, sql:)`).

extension StoredMessage: FetchableRecord {
    public init(row: Row) {
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
        createdAt = Instant(ms: row["createdAt"])
        dueAt = Instant(ms: row["dueAt"])
        expiresAt = Instant(ms: row["expiresAt"])
        attempts = row["attempts"]
        providerID = row["providerId"]
        lastError = row["lastError"]
        sentAt = (row["sentAt"] as Int64?).map(Instant.init(ms:))
        finishedAt = (row["finishedAt"] as Int64?).map(Instant.init(ms:))
        resendOf = row["resendOf"]
    }
}

extension StoredEvent: FetchableRecord {
    public init(row: Row) {
        self.init(
            id: row["id"], type: row["type"], occurredAt: row["occurredAt"], receivedAt: row["receivedAt"],
            payload: (try? JSONValue.parse(Data((row["payload"] as String).utf8))) ?? .null)
    }
}

// Enums stored by their wire form.
extension MessageStatus: DatabaseValueConvertible {}
extension Consent.Reason: DatabaseValueConvertible {}
extension AttemptRecord.Outcome: DatabaseValueConvertible {}
