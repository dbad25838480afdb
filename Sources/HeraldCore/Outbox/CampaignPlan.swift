import Foundation

/// One batch of a campaign, planned: the plans to store and what they amount to.
public struct CampaignBatch: Sendable {
    public var plans: [RecipientPlan] = []
    public var rows = 0
    public var queued = 0
    public var deferred = 0
    public var suppressed: [String: Int] = [:]
    public var segments = 0
    /// Rows refused, with their line (or position) and the reason.
    public var refused: [(line: Int, reason: String)] = []
    /// Rows already decided by an earlier run of the same campaign.
    public var skipped = 0

    public init() {}
}

extension Planner {
    /// Plans campaign rows through the policy, as an event's recipients would be: a repeated contact, a missing
    /// parameter or a value the template refuses is a refused row; with `resumed`, rows already decided are
    /// skipped. `seen` carries the contacts met so far across batches.
    public func planCampaign(
        _ rows: [RecipientRow], template: Template, common: [String: String], event: Event, now: Int64,
        resumed: Bool, seen: inout Set<String>, context: some PlanningContext
    ) throws -> CampaignBatch {
        var batch = CampaignBatch()
        batch.plans.reserveCapacity(rows.count)
        for row in rows {
            batch.rows += 1
            let person: JSONValue
            switch row.person {
            case .failure(let problem):
                batch.refused.append((row.line, problem.text))
                continue
            case .success(let p): person = p
            }
            let contact = person["id"]!.text!
            guard seen.insert(contact).inserted else {
                batch.refused.append((row.line, "contact \(PhoneNumber.maskID(contact)) is already in this campaign; the row is skipped"))
                continue
            }
            if resumed, try context.decided(eventID: event.id, contact: contact) {
                batch.skipped += 1
                continue
            }
            var parameters = common
            // A column that describes the person (`name`) fills a parameter only when the template has one by
            // that name.
            for (k, v) in row.params where !RecipientRow.personKeys.contains(k) || template.parameter(named: k) != nil {
                parameters[k] = v
            }
            if let missing = template.parameters.first(where: { $0.isRequired && parameters[$0.name] == nil }) {
                batch.refused.append((row.line, "\(missing.name): missing; template \(template.id) needs it"))
                continue
            }
            do {
                let plan = try plan(
                    template: template, person: person, parameters: parameters, event: event, now: now, context: context)
                switch plan.decision.action {
                case .send: batch.queued += 1
                case .defer: batch.deferred += 1
                case .suppress: batch.suppressed[plan.decision.reason?.rawValue ?? "unknown", default: 0] += 1
                }
                if let m = plan.message { batch.segments += m.rendered.segments }
                batch.plans.append(plan)
            } catch let error as EventError {
                batch.refused.append(
                    (row.line, error.field.map { "\($0.replacingOccurrences(of: "data.", with: "")): \(error.message)" } ?? error.message))
            }
        }
        return batch
    }
}

extension Template {
    /// Why this template cannot be sent to people named directly (a campaign, `send --contact`), or nil.
    /// `columns` are the parameter names every row may give (nil when rows are not known in advance).
    public func unusableDirectly(parameters: [String: String], columns: Set<String>?) -> String? {
        if let schedule {
            return "template \(id) is scheduled from the event's \(schedule.of); a campaign sends now: use events"
        }
        guard let columns else { return nil }
        let missing = self.parameters.filter { $0.isRequired && parameters[$0.name] == nil && !columns.contains($0.name) }
        if !missing.isEmpty {
            let names = missing.map(\.name).joined(separator: ", ")
            return "template \(id) needs \(names): give \(missing.count == 1 ? "it" : "them") to every recipient, or as a parameter common to all"
        }
        return nil
    }
}
