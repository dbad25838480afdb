import Foundation
import HeraldICU

/// The steps of `Planner.decide` that compute something: when the message is due and until when it is worth
/// sending, what quiet hours do to it, and its rendering. Each returns its trace lines; `decide` strings them
/// together with the checks that only pass or fail (self action, enabled, opt-outs, phone, rate limit, budget).
extension Planner {
    /// When a message for `template` is due (a schedule, else now) and when it expires (the event's time, or the
    /// scheduled time, plus the time to live; never after the time it is about), with the trace lines saying so.
    func timing(template: Template, event: Event, zoneName: String, now: Int64) throws
        -> (due: Int64, expires: Int64, steps: [Decision.Step])
    {
        var steps: [Decision.Step] = []
        if event.occurredAt == nil {
            steps.append(.init("occurred", "info",
                "the event gives no occurredAt: taken as received, \(Renderer.iso8601(ms: Double(now)))"))
        }
        var due = now
        var expires = event.occurred(receivedAt: now) + Int64(template.timeToLive) * 1000
        if let schedule = template.schedule {
            guard let text = event.data[path: schedule.of]?.text,
                let at = ParameterValue.epochMilliseconds(text, timeZone: zoneName).map(Int64.init)
            else {
                throw EventError(.missingField, field: "data.\(schedule.of)", "template \(template.id) is scheduled from it", eventID: event.id)
            }
            let scheduled = at - Int64(schedule.before) * 1000
            expires = min(scheduled + Int64(template.timeToLive) * 1000, at)
            due = max(now, scheduled)
            steps.append(.init("schedule", "info",
                "\(Duration.text(seconds: schedule.before)) before \(schedule.of) \(Renderer.iso8601(ms: Double(at))): due \(Renderer.iso8601(ms: Double(scheduled)))"))
        }
        return (due, expires, steps)
    }

    /// The quiet_hours step (`QuietHold`): its trace line, when the message is due after it (nil when quiet hours
    /// outlast it: the line says why it expires), and whether quiet hours hold it.
    func quietHours(at due: Int64, contact: Contact, zone: Zone, zoneName: String, template: Template, expires: Int64)
        -> (step: Decision.Step, due: Int64?, held: Bool)
    {
        let hold = QuietHold(at: due, contact: contact, config: config, zone: zone)
        let localNow = Clock.localText(zone.local(due))
        let detail = hold.window.map { "\($0) (\(hold.source)) in \(zoneName); local time \(localNow)" }
            ?? "none (\(hold.source)); local time \(localNow)"
        switch hold.outcome(priority: template.priority, expires: expires) {
        case .outside:
            return (.init("quiet_hours", "pass", hold.window == nil ? detail : "\(detail): outside"), due, false)
        case .urgent:
            return (.init("quiet_hours", "pass", "\(detail): inside, but \(template.id) is urgent"), due, false)
        case .outlives(let end):
            return (.init("quiet_hours", "fail",
                "\(detail): quiet until \(Clock.localText(zone.local(end))) local, after it expires at \(Renderer.iso8601(ms: Double(expires)))"),
                nil, true)
        case .until(let end):
            return (.init("quiet_hours", "defer", "\(detail): inside; due at \(Clock.localText(zone.local(end))) local"), end, true)
        }
    }

    /// The message in the person's language and zone; a render failure is the event's error, on the field the
    /// parameter comes from.
    func render(
        _ candidate: Candidate, language: String, zoneName: String, params: [String: String], event: Event, now: Int64
    ) throws -> RenderedMessage {
        let template = candidate.template
        do {
            return try renderer.render(
                RenderRequest(template: template.id, locale: language, timeZone: zoneName, parameters: params, at: Double(now)))
        } catch {
            let field = error.parameter.map { name in
                "data." + DataPath.resolve(template.parameter(named: name)?.source ?? name, audience: candidate.audience)
            }
            throw EventError(.renderFailed, field: field, error.message, eventID: event.id)
        }
    }
}
