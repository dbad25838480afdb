import GRDB
import HeraldCore

extension Contact: FetchableRecord {
    public init(row: Row) {
        self.init(
            id: row["id"], phone: row["phone"], name: row["name"], language: row["language"],
            languageChosen: row["languageChosen"], timeZone: row["timeZone"], timeZoneChosen: row["timeZoneChosen"],
            region: row["region"], optedOutAll: row["optedOutAll"],
            optedOutCategories: (row["optedOutCategories"] as String).split(separator: ",").map(String.init),
            quietHours: row["quietHours"])
    }
}

extension Contact {
    /// The contact joined to another row under `c_` names; nil when the join found none.
    init?(joined row: Row) {
        guard let id: String = row["c_id"] else { return nil }
        self.init(
            id: id, phone: row["c_phone"], name: row["c_name"], language: row["c_language"],
            languageChosen: row["c_languageChosen"], timeZone: row["c_timeZone"], timeZoneChosen: row["c_timeZoneChosen"],
            region: row["c_region"], optedOutAll: row["c_optedOutAll"],
            optedOutCategories: (row["c_optedOutCategories"] as String).split(separator: ",").map(String.init),
            quietHours: row["c_quietHours"])
    }
}

extension SQLiteStore {
    static func contact(_ db: Database, id: String) throws -> Contact? {
        try Contact.fetchOne(db.cachedStatement(sql: "SELECT * FROM contact WHERE id = ?"), arguments: [id])
    }

    static func save(_ db: Database, contact c: Contact, now: Int64) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO contact (id, phone, name, language, languageChosen, timeZone, timeZoneChosen, region,
                    optedOutAll, optedOutCategories, quietHours, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET phone = excluded.phone, name = excluded.name, language = excluded.language,
                    languageChosen = excluded.languageChosen, timeZone = excluded.timeZone,
                    timeZoneChosen = excluded.timeZoneChosen, region = excluded.region, optedOutAll = excluded.optedOutAll,
                    optedOutCategories = excluded.optedOutCategories, quietHours = excluded.quietHours,
                    updatedAt = excluded.updatedAt
                """
        ).execute(arguments: [
            c.id, c.phone, c.name, c.language, c.languageChosen, c.timeZone, c.timeZoneChosen, c.region, c.optedOutAll,
            c.optedOutCategories.sorted().joined(separator: ","), c.quietHours, now, now,
        ])
    }

    /// The contact, or nil when unknown.
    public func contact(id: String) async throws -> Contact? {
        try await read { db in try Self.contact(db, id: id) }
    }
}
