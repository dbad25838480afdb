import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// A person's preferences and tokens, and the SMS they send back (STOP, START).
struct ContactsController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.get, "/v1/contacts/{id}/preferences", roles: [.backend, .staff], customer: true, getPreferences)
        t.add(.put, "/v1/contacts/{id}/preferences", roles: [.backend, .staff], customer: true, putPreferences)
        t.add(.get, "/v1/contacts/{id}/history", roles: [.staff], history)
        t.add(.post, "/v1/contacts/{id}/tokens", roles: [.backend], issueToken)
        t.add(.post, "/v1/inbound", roles: [.backend, .provider], inbound)
    }

    func preferences(_ c: Contact) -> PreferencesView {
        var view = PreferencesView(c, config: state.settings.policy, catalog: catalog)
        view.contact = maskedContact(c.id)
        return view
    }

    func getPreferences(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let contact = try await store.contact(id: id) else { throw Problem.notFound("no contact '\(maskedContact(id))'") }
        return try jsonResponse(preferences(contact))
    }

    /// Sets the fields given; a field set to null goes back to the deployment's default; others keep their value.
    func putPreferences(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let f = try Fields(
            try await request.json(limit: limit),
            allowed: ["language", "timeZone", "quietHours", "optedOutAll", "optedOutCategories"])
        var change = PreferenceChange()
        func setting(_ field: String) throws -> PreferenceChange.Setting<String> {
            if f.isNull(field) { return .reset }
            return try f.string(field).map { .set($0) } ?? .keep
        }
        change.language = try setting("language")
        change.timeZone = try setting("timeZone")
        change.quietHours = try setting("quietHours")
        change.optedOutAll = try f.bool("optedOutAll")
        if f.isNull("optedOutCategories") {
            change.optedOutCategories = .reset
        } else if let categories = try f.strings("optedOutCategories") {
            change.optedOutCategories = .set(categories)
        }
        if let problem = change.problems(catalog: catalog).first {
            let field: String = switch problem.field {
            case .language: "language"
            case .timeZone: "timeZone"
            case .region: "region"
            case .quietHours: "quietHours"
            case .category:
                if case .set(let list) = change.optedOutCategories, let index = list.firstIndex(of: problem.value ?? "") {
                    "optedOutCategories[\(index)]"
                } else {
                    "optedOutCategories"
                }
            }
            throw Problem.field(field, problem.text, code: problem.code)
        }
        let source = context.identity.map(describe) ?? "?"
        let (contact, changes) = try await store.updateContact(id: id, now: state.clock(), policy: state.settings.policy, source: "API, \(source)") {
            [change] in change.apply(to: &$0)
        }
        context.logger.info("preferences of \(maskedContact(id)) changed by \(source)")
        var view = preferences(contact)
        view.changes = changes
        return try jsonResponse(view)
    }

    /// `PersonStory` over `?since=&until=`, at most `?limit=` events.
    func history(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let window = try request.window(now: state.clock())
        var limit = 50
        if let text = request.query("limit") {
            guard let n = Int(text), (1...200).contains(n) else { throw Problem.field("?limit", "'\(text)' is not a number in 1…200") }
            limit = n
        }
        var story = try await PersonStory.read(contact: id, window: window, limit: limit, from: store)
        story.mask()
        return try jsonResponse(story)
    }

    func issueToken(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let buffer = try await request.bytes(limit: limit)
        var ttl = state.settings.tokenTTL
        if buffer.readableBytes > 0 {
            let value: JSONValue
            do { value = try JSONValue.parse(buffer.readableBytesView) } catch {
                throw Problem(.badRequest, "malformed-json", "the body is not valid JSON: \(error)")
            }
            let f = try Fields(value, allowed: ["ttl"])
            if let text = try f.string("ttl") {
                guard let seconds = DurationText.seconds(text), (60...90 * 86400).contains(seconds) else {
                    throw Problem.field("ttl", "'\(text)' is not a duration from 1m to 90d, e.g. 7d or 12h")
                }
                ttl = Int64(seconds)
            }
        }
        guard try await store.contact(id: id) != nil else { throw Problem.notFound("no contact '\(maskedContact(id))'") }
        let expires = state.clock() / 1000 + ttl
        struct Token: Encodable {
            var contact: String
            var token: String
            var expiresAt: String
        }
        return try jsonResponse(
            Token(contact: maskedContact(id), token: state.tokens.issue(contact: id, expires: expires),
                  expiresAt: Renderer.iso8601(ms: Double(expires * 1000))),
            status: .created)
    }

    func inbound(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(try await request.json(limit: limit), allowed: ["from", "text", "to", "id", "receivedAt"])
        let from = try f.string("from", required: true)!
        let text = try f.string("text", required: true)!
        _ = try f.string("to")
        let providerID = try f.string("id")
        if let receivedAt = try f.string("receivedAt"),
            !ParameterValue.hasOffset(receivedAt) || ParameterValue.epochMilliseconds(receivedAt, timeZone: "UTC") == nil
        {
            throw Problem.field("receivedAt", "'\(receivedAt)' is not an ISO 8601 date-time with Z or an offset (e.g. 2026-11-23T09:00:00Z)")
        }
        let phone: PhoneNumber
        do { phone = try PhoneNumber.parse(from, region: state.settings.policy.defaultRegion) } catch {
            throw Problem.field("from", "\(error)", code: "invalid-phone")
        }
        let answer = try await Inbound(state: state).handle(phone: phone, text: text, providerID: providerID)
        context.logger.info("inbound SMS from \(phone.masked): \(answer.keyword?.rawValue ?? "no keyword")")
        return try jsonResponse(answer)
    }
}
