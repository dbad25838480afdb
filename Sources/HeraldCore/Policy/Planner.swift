import Foundation
import HeraldICU

/// A message the planner rendered for the outbox.
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Due now.
        case queued
        /// Due at `dueAt` (quiet hours or a schedule).
        case deferred
    }

    public var template: String
    public var contact: String
    /// E.164.
    public var phone: String
    public var category: String
    public var priority: Template.Priority
    public var rendered: RenderedMessage
    public var status: Status
    /// Epoch milliseconds.
    public var dueAt: Int64
    /// The earliest it may go apart from quiet hours: when it was planned, or its schedule.
    public var notBefore: Int64
    public var expiresAt: Int64
}

/// Everything decided for one event: which rules matched, a decision per person, the messages to store and
/// the contacts to add or update. Built without I/O; the store writes it in one transaction.
public struct EventPlan: Sendable {
    public var event: Event
    public var rules: [RuleTrace]
    public var decisions: [Decision]
    /// The message of each send/defer decision, by index into `decisions`.
    public var messages: [Int: OutboxMessage]
    /// Contacts new or changed by the event.
    public var contacts: [Contact]
}

/// What the planner asks of the store while it plans: read-only, inside the store's transaction.
public protocol PlanningContext {
    func contact(id: String) throws -> Contact?
    /// Messages (queued, deferred or sent) created for the contact at or after `since` (epoch ms).
    func messageCount(contact: String, since: Int64) throws -> Int
    /// Whether a decision for this contact was already stored for the event (a campaign resumed).
    func decided(eventID: String, contact: String) throws -> Bool
}

/// From an event to a decision for every person it reaches: rules, then the policy (opt-outs, phone, expiry,
/// rate limit, quiet hours), then rendering in the person's language and time zone.
public struct Planner: Sendable {
    public let renderer: Renderer
    public let config: PolicyConfig
    public var catalog: Catalog { renderer.catalog }
    /// The templates answering each event type, sorted by id: looked up once per event.
    private let rulesByEvent: [String: [Template]]

    public init(renderer: Renderer, config: PolicyConfig) {
        self.renderer = renderer
        self.config = config
        rulesByEvent = Dictionary(grouping: renderer.catalog.sortedTemplates, by: \.event)
    }

    struct Candidate {
        var template: Template
        var audience: String
        var person: JSONValue
        var id: String
        var notes: [String]
    }

    /// Plans an event at `now` (epoch ms). Throws `EventError` for an event a rule cannot use, and the
    /// context's errors as they are.
    public func plan(_ event: Event, now: Int64, context: some PlanningContext) throws -> EventPlan {
        var rules: [RuleTrace] = []
        var candidates: [Candidate] = []
        let templates = rulesByEvent[event.type] ?? []
        for template in templates {
            var trace = RuleTrace(template: template.id, matched: true, notes: [], candidates: [])
            for condition in template.conditions where !condition.isPerRecipient {
                let holds = condition.holds(for: event.data[path: condition.path])
                trace.notes.append("when \(condition.source): \(holds ? "yes" : "no")")
                if !holds { trace.matched = false }
            }
            if trace.matched {
                var seen = Set<String>()
                for path in template.audience {
                    let found = try persons(at: path, in: event)
                    if found.isEmpty { trace.notes.append("audience \(path): absent in the event") }
                    for (person, id, at) in found {
                        guard seen.insert(id).inserted else {
                            trace.notes.append("audience \(at): \(id) already reached by this rule")
                            continue
                        }
                        var notes: [String] = []
                        var keep = true
                        for condition in template.conditions where condition.isPerRecipient {
                            let holds = condition.holds(for: Self.value(at: condition.path, in: event, recipient: person))
                            notes.append("when \(condition.source) for \(id): \(holds ? "yes" : "no")")
                            if !holds { keep = false }
                        }
                        trace.notes += notes
                        if keep {
                            trace.notes.append("audience \(at): \(id)")
                            trace.candidates.append(id)
                            candidates.append(Candidate(template: template, audience: at, person: person, id: id, notes: notes))
                        }
                    }
                }
                if trace.candidates.isEmpty { trace.matched = false }
            }
            rules.append(trace)
        }

        var contacts: [String: Contact] = [:]
        var changed: [String: Contact] = [:]
        var planned: [String: Int] = [:]
        var decisions: [Decision] = []
        var messages: [Int: OutboxMessage] = [:]
        for candidate in candidates {
            var steps: [Decision.Step] = [
                .init("rule", "pass", "\(candidate.template.id) answers \(event.type); audience \(candidate.audience)")
            ]
            // The contact as stored, updated by what the event says of the person.
            let stored: Contact?
            if let known = contacts[candidate.id] { stored = known } else { stored = try context.contact(id: candidate.id) }
            var phone = PhoneNote()
            let merged = merge(candidate.person, id: candidate.id, into: stored, steps: &steps, phone: &phone)
            contacts[candidate.id] = merged
            if merged != stored { changed[candidate.id] = merged }

            let params = try parameters(for: candidate, event: event)
            let decision = try decide(
                candidate, contact: merged, phone: phone, params: params, event: event, now: now,
                planned: planned[candidate.id, default: 0], context: context, steps: steps)
            if let message = decision.1 {
                messages[decisions.count] = message
                planned[candidate.id, default: 0] += 1
            }
            decisions.append(decision.0)
        }
        return EventPlan(
            event: event, rules: rules, decisions: decisions, messages: messages,
            contacts: changed.values.sorted { $0.id < $1.id })
    }

    /// The persons at an audience path: one object, or each of a list.
    func persons(at path: String, in event: Event) throws(EventError) -> [(JSONValue, String, String)] {
        guard let value = event.data[path: path] else {
            if catalog.events[event.type]?.isOptional(path) ?? false { return [] }
            throw EventError(.missingField, field: "data.\(path)", "the rule's audience; a person with an id", eventID: event.id)
        }
        let list: [(JSONValue, String)]
        if case .array(let items) = value {
            list = items.enumerated().map { ($1, "\(path)[\($0)]") }
        } else {
            list = [(value, path)]
        }
        return try list.map { (person, at) throws(EventError) in
            try EventSchema.checkPerson(person, path: "data.\(at)")
            return (person, person["id"]!.text!, at)
        }
    }

    /// What merging learnt of the phone: why the event's number was refused, or the contact's number as shown
    /// (so it is not parsed again to be masked).
    struct PhoneNote {
        var problem: String?
        var masked: String?
    }

    /// Folds what the event says of a person into their stored contact. The person's own choices win.
    func merge(_ person: JSONValue, id: String, into stored: Contact?, steps: inout [Decision.Step], phone: inout PhoneNote)
        -> Contact
    {
        var contact = stored ?? Contact(id: id)
        steps.append(.init("contact", "info", stored == nil ? "\(id): new contact" : "\(id): known contact"))
        if let name = person["name"]?.text, !name.isEmpty { contact.name = name }
        if let region = person["region"]?.text { contact.region = region.uppercased() }
        if let language = person["language"]?.text {
            if contact.languageChosen, let chosen = contact.language, chosen != language {
                steps.append(.init("language", "info", "the event says \(language); the contact chose \(chosen), which wins"))
            } else if !contact.languageChosen {
                contact.language = language
            }
        }
        if let zone = person["timeZone"]?.text {
            if contact.timeZoneChosen, let chosen = contact.timeZone, chosen != zone {
                steps.append(.init("time_zone", "info", "the event says \(zone); the contact chose \(chosen), which wins"))
            } else if !contact.timeZoneChosen {
                contact.timeZone = zone
            }
        }
        if let raw = person["phone"]?.text, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let region = contact.region ?? config.defaultRegion
            do {
                let number = try PhoneNumber.parse(raw, region: region)
                let masked = number.masked
                phone.masked = masked
                if contact.phone != number.e164 {
                    steps.append(.init("phone", "info", contact.phone == nil ? "\(masked) from the event" : "updated from the event to \(masked)"))
                    contact.phone = number.e164
                }
                if !number.isValidPerMetadata {
                    steps.append(.init("phone", "info", "\(masked) is possible but not valid per libphonenumber's metadata; sent anyway"))
                }
            } catch {
                phone.problem = "the event's phone \(error.description) (region \(region))"
            }
        }
        return contact
    }

    /// Parameter values from the event, as text, for the renderer.
    func parameters(for candidate: Candidate, event: Event) throws(EventError) -> [String: String] {
        var out: [String: String] = [:]
        for parameter in candidate.template.parameters {
            let source = parameter.source ?? parameter.name
            let field = "data." + DataPath.resolve(source, audience: candidate.audience)
            if let value = Self.value(at: source, in: event, recipient: candidate.person) {
                guard let text = value.text else {
                    throw EventError(.invalidField, field: field,
                                     "template \(candidate.template.id) fills '\(parameter.name)' from it: expected a value, got \(value.kindName)",
                                     eventID: event.id)
                }
                out[parameter.name] = text
            } else if parameter.defaultValue == nil {
                throw EventError(.missingField, field: field,
                                 "template \(candidate.template.id) needs it for parameter '\(parameter.name)'", eventID: event.id)
            }
        }
        return out
    }

    /// The value at a rule's path: in the event's data, or in the recipient for `recipient.…`.
    static func value(at path: String, in event: Event, recipient: JSONValue) -> JSONValue? {
        guard let field = DataPath.recipientField(path) else { return event.data[path: path] }
        return field.isEmpty ? recipient : recipient[path: field]
    }

    func decide(
        _ candidate: Candidate, contact: Contact, phone note: PhoneNote, params: [String: String], event: Event,
        now: Int64, planned: Int, context: some PlanningContext, steps: [Decision.Step]
    ) throws -> (Decision, OutboxMessage?) {
        let template = candidate.template
        var steps = steps
        let language = contact.language ?? config.defaultLanguage
        let zoneName = contact.timeZone ?? config.defaultTimeZone
        var decision = Decision(
            template: template.id, audience: candidate.audience, contact: candidate.id, action: .suppress, reason: nil,
            detail: "", category: nil, dueAt: nil, expiresAt: nil, messageID: nil, locale: language, timeZone: zoneName,
            trace: [])
        func suppress(_ reason: Decision.Reason, _ detail: String, check: String) -> (Decision, OutboxMessage?) {
            steps.append(.init(check, "fail", detail))
            decision.reason = reason
            decision.detail = detail
            decision.trace = steps
            return (decision, nil)
        }

        if let actorPath = template.skipSelf {
            let actor = event.data[path: actorPath]?["id"]?.text
            if actor == candidate.id {
                return suppress(.selfAction, "\(candidate.id) is also the \(actorPath) of this event", check: "self_action")
            }
            steps.append(.init("self_action", "pass", actor.map { "the \(actorPath) is \($0)" } ?? "no \(actorPath) in the event"))
        }
        guard template.enabled else {
            return suppress(.smsDisabled, "template \(template.id) is disabled (enabled: false)", check: "enabled")
        }
        if contact.optedOutAll {
            decision.category = "all"
            return suppress(.optedOut, "opted out of all messages", check: "opt_out")
        }
        if contact.optedOutCategories.contains(template.category) {
            decision.category = template.category
            return suppress(.optedOut, "opted out of \(template.category)", check: "opt_out")
        }
        steps.append(.init("opt_out", "pass", contact.optedOutCategories.isEmpty
            ? "no opt-outs (category \(template.category))"
            : "opted out of \(contact.optedOutCategories.joined(separator: ", ")) only; this is \(template.category)"))
        if let problem = note.problem { return suppress(.invalidPhone, problem, check: "phone") }
        guard let phone = contact.phone else {
            return suppress(.noPhone, "no phone number in the event nor on the contact", check: "phone")
        }
        let masked = note.masked ?? PhoneNumber.mask(e164: phone)
        steps.append(.init("phone", "pass", masked))
        steps.append(.init("language", "info", contact.language == nil
            ? "\(language) (deployment default; none known for the contact)"
            : "\(language) (\(contact.languageChosen ? "the contact's choice" : "from an event"))"))

        // When: a scheduled time, then quiet hours. Expiry counts from the scheduled time, else from the event.
        let timing = try self.timing(template: template, event: event, zoneName: zoneName, now: now)
        var due = timing.due
        let (notBefore, expires) = (timing.due, timing.expires)
        steps += timing.steps
        decision.expiresAt = Renderer.iso8601(ms: Double(expires))
        if now >= expires {
            return suppress(.expired, "expired at \(Renderer.iso8601(ms: Double(expires))) (ttl \(Duration.text(seconds: template.timeToLive))), before it could be sent", check: "expiry")
        }
        steps.append(.init("expiry", "pass", "worth sending until \(Renderer.iso8601(ms: Double(expires)))"))

        if let limit = config.rateLimit {
            let recent = try context.messageCount(contact: candidate.id, since: now - Int64(limit.window) * 1000) + planned
            if recent >= limit.count {
                return suppress(.rateLimited,
                    "\(recent) messages in the last \(Duration.text(seconds: limit.window)); the limit is \(limit)", check: "rate_limit")
            }
            steps.append(.init("rate_limit", "pass", "\(recent) of \(limit.count) in the last \(Duration.text(seconds: limit.window))"))
        }

        guard let zone = Zone.named(zoneName) else {
            throw EventError(.invalidField, field: "data.\(candidate.audience).timeZone", "unknown time zone '\(zoneName)'", eventID: event.id)
        }
        let quiet = quietHours(at: due, contact: contact, zone: zone, zoneName: zoneName, template: template, expires: expires)
        guard let quietDue = quiet.due else { return suppress(.expired, quiet.step.detail, check: "quiet_hours") }
        steps.append(quiet.step)
        due = quietDue

        let rendered = try render(candidate, language: language, zoneName: zoneName, params: params, event: event, now: now)
        if !rendered.fellBackFrom.isEmpty {
            steps.append(.init("language", "info", "no \(template.id) message in \(language); used \(rendered.messageLocale)"))
        }
        steps.append(.init("render", "info",
            "\(rendered.messageLocale), \(rendered.encoding.rawValue), \(rendered.segments) segment\(rendered.segments == 1 ? "" : "s") (\(rendered.units) units)"))
        // `herald check` refuses a catalog whose worst case is over budget; a value it did not foresee (a character
        // that forces UCS-2) is refused here rather than sent at a cost nobody agreed to.
        if rendered.segments > template.segmentBudget {
            decision.locale = rendered.messageLocale
            return suppress(.overBudget,
                "\(rendered.segments) segments (\(rendered.encoding.rawValue), \(rendered.units) units), over the budget of \(template.segmentBudget) set by \(template.file)",
                check: "budget")
        }
        decision.action = due > now ? .defer : .send
        decision.locale = rendered.messageLocale
        if due > now {
            decision.dueAt = Renderer.iso8601(ms: Double(due))
            let heldByQuietHours = quiet.held
            decision.detail = !heldByQuietHours
                ? "scheduled for \(Clock.localText(zone.local(due))) \(zoneName)"
                : "quiet hours until \(Clock.localText(zone.local(due))) \(zoneName)"
        } else {
            decision.detail = "to \(masked) in \(rendered.messageLocale), \(rendered.segments) segment\(rendered.segments == 1 ? "" : "s")"
        }
        decision.trace = steps
        let message = OutboxMessage(
            template: template.id, contact: candidate.id, phone: phone, category: template.category,
            priority: template.priority, rendered: rendered, status: due > now ? .deferred : .queued, dueAt: due,
            notBefore: notBefore, expiresAt: expires)
        return (decision, message)
    }
}
