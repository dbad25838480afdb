import Foundation

/// The plan for one person named directly (a campaign row, `herald send --contact`), not found by a rule.
public struct RecipientPlan: Sendable {
    public var decision: Decision
    public var message: OutboxMessage?
    /// The contact, when new or changed by what the row said.
    public var contact: Contact?
}

extension Planner {
    /// Applies the policy to one person for `template`, with the parameters given by name. `person` is an object
    /// like an event's person (`id`, optional `phone`, `name`, `language`, `timeZone`, `region`); `event` stands
    /// for what asked (a campaign): its time starts the time to live. Throws `EventError` for a render failure.
    public func plan(
        template: Template, person: JSONValue, parameters: [String: String], event: Event, now: Int64,
        context: some PlanningContext, planned: Int = 0
    ) throws -> RecipientPlan {
        guard let id = person["id"]?.text else {
            throw EventError(.missingField, field: "id", "a recipient needs an id", eventID: event.id)
        }
        var steps: [Decision.Step] = [.init("rule", "pass", "\(template.id) sent directly by \(event.type) \(event.id)")]
        let stored = try context.contact(id: id)
        var phone = PhoneNote()
        let merged = merge(person, id: id, into: stored, steps: &steps, phone: &phone)
        let candidate = Candidate(template: template, audience: "recipient", person: person, id: id, notes: [])
        let (decision, message) = try decide(
            candidate, contact: merged, phone: phone, params: parameters, event: event, now: now,
            planned: planned, context: context, steps: steps)
        return RecipientPlan(decision: decision, message: message, contact: merged == stored ? nil : merged)
    }
}
