import Foundation

/// A message written by hand (`herald send --to --text`, category `direct`) or a reply to a keyword (category
/// `Consent.keywordReply`): no template, no quiet hours.
public struct RawMessage: Sendable, Equatable {
    public var eventID: String
    public var contact: String
    /// E.164.
    public var phone: String
    public var text: String
    public var locale: String
    public var encoding: String
    public var units: Int
    public var segments: Int
    public var expiresAt: Int64
    public var category: String

    public init(
        eventID: String, contact: String, phone: String, text: String, locale: String, encoding: String, units: Int,
        segments: Int, expiresAt: Int64, category: String = "direct"
    ) {
        self.eventID = eventID
        self.contact = contact
        self.phone = phone
        self.text = text
        self.locale = locale
        self.encoding = encoding
        self.units = units
        self.segments = segments
        self.expiresAt = expiresAt
        self.category = category
    }
}

/// How much a store holds.
public struct StorageTotals: Sendable, Equatable, Codable {
    public var events: Int
    public var decisions: Int
    public var messages: Int
    public var contacts: Int

    public init(events: Int, decisions: Int, messages: Int, contacts: Int) {
        self.events = events
        self.decisions = decisions
        self.messages = messages
        self.contacts = contacts
    }
}

/// Herald's durable state: contacts and their preferences, events, decisions, the outbox, attempts and delivery
/// reports. Every use case reads and writes through this protocol; each method is one transaction. Times are
/// epoch milliseconds. The SQLite implementation is `SQLiteStore` (HeraldStore).
public protocol Storage: Sendable {
    /// Where the data lives, for messages (a file path).
    var location: String { get }
    /// This database's random id: idempotency keys are `herald-<instance>-<message id>`.
    var instance: String { get }
    /// How many write transactions are worth running at once: SQLite writes one at a time; a database server
    /// takes several (each waits mostly on round trips) and sorts out their conflicts itself.
    var writers: Int { get }

    // MARK: events and decisions

    /// Plans and stores events in one transaction: each event's row, its decisions, its outbox messages and the
    /// contacts it changed. An event that fails planning is reported and leaves nothing; an event id already
    /// stored returns its stored decisions (`duplicate`).
    func ingest(_ events: [Event], planner: Planner, now: Int64) async throws -> [Result<IngestResult, EventError>]
    /// Records the event standing for a direct send (a campaign, `herald send`, an inbound SMS); false when its id
    /// was already stored (nothing is changed then).
    @discardableResult func register(_ event: Event, now: Int64) async throws -> Bool
    func hasEvent(_ id: String) async throws -> Bool
    func event(id: String) async throws -> StoredEvent?
    /// Events of a type, newest first.
    func events(type: String, limit: Int) async throws -> [StoredEvent]
    /// The ids of the latest events that reached a contact (decided within `window`), newest first.
    func events(forContact contact: String, window: TimeWindow, limit: Int) async throws -> [String]
    /// The record of an event, optionally only what concerns one contact; nil when the event is unknown.
    func explain(event: String, contact: String?) async throws -> Explanation?
    /// Runs `body` on a consistent read-only view of contacts and decisions (planning people named directly).
    /// `body` must be a pure function of what it reads: a store may run it more than once (PostgreSQL runs it
    /// again with the answers it read ahead, `PlanningSnapshot`).
    func planning<T: Sendable>(_ body: @escaping @Sendable (any PlanningContext) throws -> T) async throws -> T
    /// Stores planned recipients (decisions, messages, contacts) in one transaction; returns the decisions as
    /// stored, with their message ids.
    @discardableResult func write(_ plans: [RecipientPlan], eventID: String, now: Int64) async throws -> [Decision]
    /// Queues a message written by hand or a keyword reply; returns its id.
    func queue(_ message: RawMessage, now: Int64) async throws -> Int64
    /// A campaign's decisions so far.
    func campaignCounts(_ eventID: String) async throws -> CampaignCounts

    // MARK: contacts

    func contact(id: String) async throws -> Contact?
    /// Every contact with this E.164 number.
    func contacts(phone: String) async throws -> [Contact]
    /// A contact's preferences changed by `change` (the contact is created when unknown), and every message still
    /// waiting for them reviewed against the new preferences (`Consent.review`), in one transaction. What changed
    /// (`Contact.changes(from:)`) is recorded with `source`, the path it came through.
    @discardableResult func updateContact(
        id: String, now: Int64, policy: PolicyConfig, source: String,
        _ change: @escaping @Sendable (inout Contact) throws -> Void
    ) async throws -> (contact: Contact, changes: ConsentChanges)
    /// `updateContact` for many people in one transaction: an import of preferences.
    @discardableResult func updateContacts(
        _ updates: [(id: String, change: @Sendable (inout Contact) throws -> Void)], now: Int64, policy: PolicyConfig,
        source: String
    ) async throws -> ConsentChanges
    /// The recorded changes of a person's preferences within `window`, oldest first.
    func preferenceHistory(contact: String, window: TimeWindow) async throws -> [PreferenceRecord]

    // MARK: the outbox

    /// Ends as `expired` every waiting message whose time to live ran out by `now`. Returns how many.
    @discardableResult func expireDue(now: Int64) async throws -> Int
    /// Holds every due message as `disabled` (sending is switched off). Returns how many.
    @discardableResult func holdDue(now: Int64) async throws -> Int
    /// Claims up to `limit` due messages until `now + lease`, each reviewed against its person's current
    /// preferences first (consent at hand-over). `only` limits the claim to these messages.
    func claim(now: Int64, limit: Int, lease: Int64, policy: PolicyConfig, only: [Int64]?) async throws -> [ClaimedMessage]
    /// Writes attempts and the statuses they lead to, in one transaction.
    func record(_ attempts: [AttemptRecord], now: Int64, policy: PolicyConfig) async throws
    /// Gives back claims a stopping worker did not start.
    func release(_ ids: [Int64], now: Int64) async throws
    /// Extends to `until` the leases of claims a worker still holds (each message still `sending` under the attempt
    /// it was claimed for). Returns the ids still held; a claim that ran out and was taken again is not.
    func renew(_ claims: [(id: Int64, attempt: Int)], until: Int64, now: Int64) async throws -> Set<Int64>
    /// The earliest time something becomes due; nil when nothing waits.
    func nextDue() async throws -> Int64?
    /// Waits until messages may have become due (another process queued or released some), at most `seconds`.
    /// A store that cannot tell just waits.
    func waitForDue(upTo seconds: Double) async
    /// Messages still to send now or soon. `only` limits the count to these messages; `futureRetries: false`
    /// leaves out retries due after `now`.
    func pending(now: Int64, only: [Int64]?, futureRetries: Bool) async throws -> Int
    /// Applies a delivery report (`MessageStatus.refusesReport` decides); every report is kept, matched or not.
    func apply(_ report: DeliveryReport, now: Int64) async throws -> ReportResult
    /// Queues a copy of a finished message, due now, worth sending for `ttl` ms (`ResendRefusal.check` decides).
    func resend(_ id: Int64, now: Int64, ttl: Int64) async throws -> StoredMessage

    // MARK: reading the log

    func message(id: Int64) async throws -> StoredMessage?
    /// A message's attempts, oldest first.
    func attempts(message id: Int64) async throws -> [AttemptRecord]
    /// The delivery reports matched to one message, oldest first.
    func reports(message id: Int64) async throws -> [ReceivedReport]
    /// Messages newest first.
    func messages(_ filter: MessageFilter) async throws -> [StoredMessage]
    /// Counts of messages by status.
    func messageCounts() async throws -> [String: Int]
    /// Segments of messages handed to the provider (sent or delivered).
    func segmentsHandedOver() async throws -> Int
    /// How many events, decisions, messages and contacts are stored.
    func totals() async throws -> StorageTotals
    /// Statistics of messages created at or after `since` and before `until`, optionally of one contact.
    func statistics(since: Int64?, until: Int64?, contact: String?) async throws -> Statistics

    /// Runs `body` holding the lock named `name` across every process on this database (a campaign is run by one
    /// process at a time); nil, without running it, when another holds it. A process that dies lets go.
    func exclusively<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T?

    // MARK: settings kept with the data

    func meta(_ key: String) async throws -> String?
    /// A value made by `make` and stored the first time it is asked for.
    func meta(_ key: String, orMake make: @escaping @Sendable () -> String) async throws -> String
    func setMeta(_ key: String, _ value: String) async throws
}

extension Storage {
    public var writers: Int { 1 }

    /// One process per database (SQLite's case): nothing to exclude.
    public func exclusively<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T? {
        try await body()
    }

    public func waitForDue(upTo seconds: Double) async {
        try? await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000)))
    }

    public func claim(now: Int64, limit: Int, lease: Int64, policy: PolicyConfig) async throws -> [ClaimedMessage] {
        try await claim(now: now, limit: limit, lease: lease, policy: policy, only: nil)
    }

    public func pending(now: Int64, only: [Int64]? = nil) async throws -> Int {
        try await pending(now: now, only: only, futureRetries: true)
    }

    public func pending(now: Int64, futureRetries: Bool) async throws -> Int {
        try await pending(now: now, only: nil, futureRetries: futureRetries)
    }

    public func explain(event: String) async throws -> Explanation? { try await explain(event: event, contact: nil) }
    public func events(type: String) async throws -> [StoredEvent] { try await events(type: type, limit: 100) }
    public func events(forContact contact: String) async throws -> [String] {
        try await events(forContact: contact, window: TimeWindow(), limit: 20)
    }

    public func statistics(since: Int64?, until: Int64? = nil) async throws -> Statistics {
        try await statistics(since: since, until: until, contact: nil)
    }
}
