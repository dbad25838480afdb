import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// Health, metrics, this API's description and statistics.
struct OperationsController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.get, "/health", roles: [], isPublic: true, health)
        t.add(.get, "/metrics", roles: [.staff], metrics)
        t.add(.get, "/openapi.yaml", roles: [], isPublic: true, openAPI)
        t.add(.get, "/v1/stats", roles: [.staff], stats)
        t.add(.get, "/v1/me", roles: Set(Role.allCases), me)
    }

    /// Who the key is: its name and role (the console's sign-in). A customer's token is refused.
    func me(_ request: Request, _ context: HeraldContext) async throws -> Response {
        guard case .key(let name, let role) = context.identity else {
            throw Problem(.forbidden, "forbidden", "a customer token is not a key")
        }
        struct Me: Encodable {
            var name: String
            var role: String
            /// Whether this key may write a draft into the locales folder from the studio.
            var studioWrites: Bool
        }
        let writes = state.settings.studioWrites && (role == .author || role == .admin)
        return try jsonResponse(Me(name: name, role: role.rawValue, studioWrites: writes))
    }

    func health(_ request: Request, _ context: HeraldContext) async throws -> Response {
        struct Health: Encodable {
            var status: String
            var database: String
            var worker: Bool
            var queue: Int?
            var version = "0.1.0"
        }
        do {
            let queue = try await store.pending(now: state.clock(), futureRetries: false)
            return try jsonResponse(Health(status: "ok", database: "ok", worker: state.settings.worker != nil, queue: queue))
        } catch {
            return try jsonResponse(
                Health(status: "unavailable", database: "\(error)", worker: state.settings.worker != nil, queue: nil),
                status: .serviceUnavailable)
        }
    }

    func metrics(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let text = try await state.metrics.text(store: store, now: state.clock())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func openAPI(_ request: Request, _ context: HeraldContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }

    func stats(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let now = state.clock()
        let window = try request.window(now: now)
        return try jsonResponse(try await store.statistics(since: window.since, until: window.until, contact: request.query("contact")))
    }
}
