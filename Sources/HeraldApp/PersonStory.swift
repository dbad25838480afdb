import HeraldCore

/// What Herald knows and did about one person over a window of time: their preferences now, each change of them
/// (when, and through which path), and each event that reached them with the decisions and messages it led to.
/// The operator's "why didn't X get an SMS yesterday?" in one answer (`herald explain --contact X --since 24h`).
public struct PersonStory: Sendable, Codable {
    public var contact: String
    /// Their preferences now; nil when Herald has never stored this person.
    public var preferences: Contact?
    /// The bounds of the window; nil for none.
    public var since: Instant?
    public var until: Instant?
    /// Changes of their preferences in the window, oldest first.
    public var preferenceChanges: [PreferenceRecord]
    /// The events that reached them in the window, newest first, each with only what concerns them.
    public var events: [Explanation]

    /// Reads the story of `contact` within `window`: at most `limit` events.
    public static func read(contact: String, window: TimeWindow, limit: Int, from store: any Storage) async throws -> PersonStory {
        let preferences = try await store.contact(id: contact)
        let changes = try await store.preferenceHistory(contact: contact, window: window)
        var events: [Explanation] = []
        for id in try await store.events(forContact: contact, window: window, limit: limit) {
            if let x = try await store.explain(event: id, contact: contact) { events.append(x) }
        }
        return PersonStory(
            contact: contact, preferences: preferences, since: window.since.map(Instant.init(ms:)),
            until: window.until.map(Instant.init(ms:)), preferenceChanges: changes, events: events)
    }

    /// Masks phone numbers (and a contact id that is one) for showing.
    public mutating func mask() {
        contact = PhoneNumber.maskID(contact)
        if var p = preferences {
            p.id = PhoneNumber.maskID(p.id)
            p.phone = p.phone.map { PhoneNumber.mask(e164: $0) }
            preferences = p
        }
        for i in events.indices {
            for j in events[i].messages.indices { events[i].messages[j].mask() }
            for j in events[i].decisions.indices { events[i].decisions[j].contact = PhoneNumber.maskID(events[i].decisions[j].contact) }
            events[i].payload = .null
        }
    }
}
