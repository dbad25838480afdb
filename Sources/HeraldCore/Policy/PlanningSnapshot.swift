/// A `PlanningContext` over answers read ahead, for a store whose reads are asynchronous (PostgreSQL): the planner
/// runs on what is known, every question it asks that is not yet known is noted as a miss (and answered "nothing":
/// no contact, no message, no decision), the store reads the misses in one round, and the planning runs again. The
/// planner is a pure function of its answers, so when a run ends with no miss its plans are what planning inside
/// the database would have made. What a batch has planned so far counts as stored (`add`): a second event for the
/// same person sees the contact and the messages the first one made, as it would inside one transaction.
public final class PlanningSnapshot: PlanningContext {
    public struct CountKey: Hashable, Sendable {
        public var contact: String
        public var since: Int64

        public init(contact: String, since: Int64) {
            self.contact = contact
            self.since = since
        }
    }

    public struct DecisionKey: Hashable, Sendable {
        public var eventID: String
        public var contact: String

        public init(eventID: String, contact: String) {
            self.eventID = eventID
            self.contact = contact
        }
    }

    /// What was read from the store: a contact id maps to nil when the store has none.
    public private(set) var contacts: [String: Contact?] = [:]
    public private(set) var counts: [CountKey: Int] = [:]
    public private(set) var decisions: [DecisionKey: Bool] = [:]

    /// Questions asked by the last run that the store has not answered yet.
    public private(set) var missingContacts: Set<String> = []
    public private(set) var missingCounts: Set<CountKey> = []
    public private(set) var missingDecisions: Set<DecisionKey> = []

    /// What this run planned so far, on top of what was read.
    private var plannedContacts: [String: Contact] = [:]
    private var plannedMessages: [String: Int] = [:]
    private var plannedDecisions: Set<DecisionKey> = []

    public init() {}

    public var isComplete: Bool { missingContacts.isEmpty && missingCounts.isEmpty && missingDecisions.isEmpty }

    /// Starts a run: forgets what the last run planned and missed, keeps what was read.
    public func startRun() {
        plannedContacts = [:]
        plannedMessages = [:]
        plannedDecisions = []
        missingContacts = []
        missingCounts = []
        missingDecisions = []
    }

    /// Answers read from the store.
    public func learn(contacts found: [Contact], asked: some Sequence<String>) {
        for id in asked { contacts[id] = .some(nil) }
        for c in found { contacts[c.id] = c }
    }

    public func learn(count: Int, for key: CountKey) { counts[key] = count }
    public func learn(decided: Bool, for key: DecisionKey) { decisions[key] = decided }

    /// An event's plan counts as stored for the rest of this run.
    public func add(_ plan: EventPlan) {
        for c in plan.contacts { plannedContacts[c.id] = c }
        for (index, _) in plan.messages { plannedMessages[plan.decisions[index].contact, default: 0] += 1 }
        for d in plan.decisions { plannedDecisions.insert(DecisionKey(eventID: plan.event.id, contact: d.contact)) }
    }

    /// A recipient's plan (a campaign row, a direct send) counts as stored for the rest of this run.
    public func add(_ plan: RecipientPlan, eventID: String) {
        if let c = plan.contact { plannedContacts[c.id] = c }
        if plan.message != nil { plannedMessages[plan.decision.contact, default: 0] += 1 }
        plannedDecisions.insert(DecisionKey(eventID: eventID, contact: plan.decision.contact))
    }

    // MARK: PlanningContext

    public func contact(id: String) throws -> Contact? {
        if let planned = plannedContacts[id] { return planned }
        guard let known = contacts[id] else {
            missingContacts.insert(id)
            return nil
        }
        return known
    }

    public func messageCount(contact: String, since: Int64) throws -> Int {
        let key = CountKey(contact: contact, since: since)
        let planned = plannedMessages[contact, default: 0]
        guard let stored = counts[key] else {
            missingCounts.insert(key)
            return planned
        }
        return stored + planned
    }

    public func decided(eventID: String, contact: String) throws -> Bool {
        let key = DecisionKey(eventID: eventID, contact: contact)
        if plannedDecisions.contains(key) { return true }
        guard let stored = decisions[key] else {
            missingDecisions.insert(key)
            return false
        }
        return stored
    }
}
