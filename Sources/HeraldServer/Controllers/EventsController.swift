import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// Events in (one, or a batch), and what was decided for one.
struct EventsController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.post, "/v1/events", roles: [.backend], postEvent)
        t.add(.post, "/v1/events:batch", roles: [.backend], postEvents)
        t.add(.get, "/v1/events/{id}", roles: [.backend, .staff], getEvent)
    }

    /// What an event led to, for the backend to tell its user ("SMS sent to the assignee").
    struct EventAnswer: Encodable {
        var event: String
        var type: String
        var duplicate: Bool
        /// One line: who is told, who is not and why.
        var summary: String
        var decisions: [Decision]
    }

    static func answer(_ r: IngestResult, explain: Bool) -> EventAnswer {
        let decisions = r.decisions.map { d -> Decision in
            var d = d
            d.contact = maskedContact(d.contact)
            if !explain { d.trace = [] }
            return d
        }
        let parts = decisions.map { d -> String in
            switch d.action {
            case .send: "SMS to the \(d.audience) (\(d.contact), \(d.locale ?? "?"))"
            case .defer: "SMS to the \(d.audience) (\(d.contact)) at \(d.dueAt ?? "?")"
            case .suppress: "no SMS to the \(d.audience) (\(d.contact)): \(d.reason?.rawValue ?? "?")"
            }
        }
        return EventAnswer(
            event: r.event, type: r.type, duplicate: r.duplicate,
            summary: parts.isEmpty ? "no one to tell" : parts.joined(separator: "; "), decisions: decisions)
    }

    func postEvent(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let event: Event
        do { event = try Event.parse(body, catalog: catalog) } catch {
            state.metrics.event("refused")
            throw Problem.event(error)
        }
        let results = try await state.ingest.ingest([event])
        switch results[0] {
        case .success(let r):
            state.metrics.event(r.duplicate ? "duplicate" : "stored")
            return try jsonResponse(Self.answer(r, explain: request.query("explain") == "true"), status: r.duplicate ? .ok : .created)
        case .failure(let error):
            state.metrics.event("refused")
            throw Problem.event(error)
        }
    }

    func postEvents(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let list: [JSONValue]
        switch body {
        case .array(let items): list = items
        case .object:
            let fields = try Fields(body, allowed: ["events"])
            list = try fields.array("events", required: true)!
        default: throw Problem.field("(body)", "expected a list of events or {\"events\": [...]}", code: "invalid-body", status: .badRequest)
        }
        guard (1...1000).contains(list.count) else {
            throw Problem.field("events", "\(list.count) events; send 1 to 1000 per batch", code: "batch-size")
        }
        struct Item: Encodable {
            var index: Int
            var status: String
            var event: String?
            var result: EventAnswer?
            var problem: Problem?
        }
        var items: [Item] = []
        var events: [Event] = []
        var positions: [Int] = []
        for (index, value) in list.enumerated() {
            do {
                events.append(try Event.parse(value, catalog: catalog))
                positions.append(index)
                items.append(Item(index: index, status: "pending"))
            } catch {
                items.append(Item(index: index, status: "refused", event: error.eventID, problem: Problem.event(error, prefix: "events[\(index)].")))
            }
        }
        let results = events.isEmpty ? [] : try await state.ingest.ingest(events)
        for (position, result) in zip(positions, results) {
            switch result {
            case .success(let r):
                items[position] = Item(index: position, status: r.duplicate ? "duplicate" : "stored", event: r.event, result: Self.answer(r, explain: false))
            case .failure(let error):
                items[position] = Item(index: position, status: "refused", event: error.eventID, problem: Problem.event(error, prefix: "events[\(position)]."))
            }
        }
        struct Answer: Encodable {
            var stored: Int
            var duplicates: Int
            var refused: Int
            var items: [Item]
        }
        let count = { (s: String) in items.filter { $0.status == s }.count }
        for item in items { state.metrics.event(item.status) }
        return try jsonResponse(Answer(stored: count("stored"), duplicates: count("duplicate"), refused: count("refused"), items: items))
    }

    func getEvent(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard var x = try await store.explain(event: id) else { throw Problem.notFound("no event '\(id)'") }
        for i in x.decisions.indices { x.decisions[i].contact = maskedContact(x.decisions[i].contact) }
        for i in x.messages.indices { x.messages[i].mask() }
        x.payload = .null
        return try jsonResponse(x)
    }
}
