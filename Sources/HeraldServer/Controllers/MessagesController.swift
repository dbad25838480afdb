import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// The message log: list, one message, resend; and the provider's delivery reports.
struct MessagesController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.post, "/v1/delivery-reports", roles: [.backend, .provider], deliveryReports)
        t.add(.get, "/v1/messages", roles: [.staff], messages)
        t.add(.get, "/v1/messages/{id}", roles: [.staff, .backend], message)
        t.add(.post, "/v1/messages/{id}:resend", roles: [.staff], resend)
    }

    func deliveryReports(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let items: [JSONValue]
        var single = false
        if case .array(let list) = body { items = list } else { items = [body]; single = true }
        guard items.count <= 1000 else { throw Problem.field("(body)", "\(items.count) reports; send at most 1000", code: "batch-size") }
        var reports: [DeliveryReport] = []
        for (index, item) in items.enumerated() {
            let prefix = single ? "" : "[\(index)]"
            let f = try Fields(item, path: prefix, allowed: DeliveryReport.jsonKeys)
            switch DeliveryReport.parse(item) {
            case .success(let report): reports.append(report)
            case .failure(let problem): throw Problem.field(f.name(problem.field ?? "(report)"), problem.text)
            }
        }
        let now = state.clock()
        var results: [ReportResult] = []
        for report in reports { results.append(try await store.apply(report, now: now)) }
        struct Answer: Encodable {
            var matched: Int
            var unknown: Int
            var results: [ReportResult]
        }
        let matched = results.filter { $0.messageID != nil }.count
        return try jsonResponse(Answer(matched: matched, unknown: results.count - matched, results: results))
    }

    func messages(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let now = state.clock()
        var filter = MessageFilter(limit: 100)
        if let status = request.query("status") {
            do { filter.status = try MessageStatus.parse(status) } catch { throw Problem.field("?status", error.description) }
        }
        filter.contact = request.query("contact")
        filter.template = request.query("template")
        filter.event = request.query("event")
        let window = try request.window(now: now)
        (filter.since, filter.until) = (window.since, window.until)
        if let text = request.query("before") {
            guard let id = Int64(text) else { throw Problem.field("?before", "'\(text)' is not a message id") }
            filter.before = id
        }
        if let text = request.query("limit") {
            guard let n = Int(text), (1...1000).contains(n) else { throw Problem.field("?limit", "'\(text)' is not a number in 1…1000") }
            filter.limit = n
        }
        var list = try await store.messages(filter)
        for i in list.indices { list[i].mask() }
        struct Page: Encodable {
            var messages: [StoredMessage]
            /// The `before` of the next page, when there may be one.
            var next: Int64?
        }
        return try jsonResponse(Page(messages: list, next: list.count == filter.limit ? list.last?.id : nil))
    }

    func messageID(_ context: HeraldContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text) else { throw Problem.field("id", "'\(text)' is not a message id", status: .notFound) }
        return id
    }

    func message(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try messageID(context)
        guard var m = try await store.message(id: id) else { throw Problem.notFound("no message \(id)") }
        m.mask()
        struct Answer: Encodable {
            var message: StoredMessage
            var attempts: [AttemptRecord]
            var reports: [ReceivedReport]
        }
        return try jsonResponse(Answer(
            message: m, attempts: try await store.attempts(message: id), reports: try await store.reports(message: id)))
    }

    func resend(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try messageID(context)
        try await request.noBody(limit: limit)
        do {
            var m = try await store.resend(id, now: state.clock(), ttl: state.settings.resendTTL)
            context.logger.notice("message \(id) resent as \(m.id) by \(context.identity.map(describe) ?? "?")")
            m.mask()
            return try jsonResponse(m, status: .created)
        } catch let refusal as ResendRefusal {
            switch refusal.kind {
            case .notFound: throw Problem.notFound(refusal.description)
            case .optedOut: throw Problem(.conflict, "opted-out", refusal.description)
            case .notFinished: throw Problem(.conflict, "not-finished", refusal.description)
            }
        }
    }
}
