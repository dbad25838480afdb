import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import NIOCore

/// Who is asking.
public enum Identity: Sendable, Equatable {
    case key(name: String, role: Role)
    /// A customer with a token for their own contact.
    case customer(contact: String)
}

/// Each request's context: the request id (in every log line, through the logger) and who is asking.
public struct HeraldContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Logs one line per request (method, path with phone numbers masked, status, time), gives every response its
/// `X-Request-Id`, turns any error into a problem-details response, and counts requests for /metrics.
struct RequestLogMiddleware: RouterMiddleware {
    let metrics: ServerMetrics
    let routes: RouteList

    func handle(_ request: Request, context: HeraldContext, next: (Request, HeraldContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            // Hummingbird's own errors (an unknown route, a method not allowed) as problem details too. A path that
            // exists with other methods is 405 with `Allow`, not 404.
            let allowed = error.status == .notFound ? routes.methods(for: request.uri.path) : []
            var problem: Problem
            if !allowed.isEmpty {
                problem = Problem(.methodNotAllowed, "method-not-allowed",
                                  "\(request.method) is not a method of \(maskPath(request.uri.path)); allowed: \(allowed.joined(separator: ", "))")
                problem.extraHeaders = [HTTPField(name: .allow, value: allowed.joined(separator: ", "))]
            } else {
                let detail = error.body ?? (error.status == .notFound ? "no route \(request.method) \(maskPath(request.uri.path)); see /openapi.yaml" : error.status.reasonPhrase)
                problem = Problem(error.status, error.status == .notFound ? "no-route" : "http-\(error.status.code)", detail)
                problem.extraHeaders = Array(error.headers)
            }
            response = try problem.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            if let fault = error as? StorageFault {
                context.logger.error("storage: \(fault.detail)")
                response = try Problem.storage(fault).response(from: request, context: context)
            } else {
                context.logger.error("internal error: \(error)")
                response = try Problem(.internalServerError, "internal", "an internal error occurred; the request id is \(context.id)")
                    .response(from: request, context: context)
            }
        }
        response.headers[HTTPField.Name("X-Request-Id")!] = context.id
        let elapsed = ContinuousClock.now - started
        metrics.request(status: response.status.code, duration: elapsed)
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        context.logger.log(
            level: level,
            "\(request.method) \(maskPath(request.uri.path)) \(response.status.code) \(String(format: "%.1f", ms)) ms")
        return response
    }
}

/// A path with its phone numbers masked (contacts keyed by their number): `/v1/contacts/+251 9•• ••• •67/…`.
func maskPath(_ path: String) -> String {
    guard path.contains("+") || path.contains("%2B") || path.contains("%2b") else { return path }
    return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
        let decoded = segment.removingPercentEncoding ?? String(segment)
        return decoded.hasPrefix("+") ? PhoneNumber.mask(e164: decoded) : String(segment)
    }.joined(separator: "/")
}

/// Reads the `Authorization: Bearer …` header (or `X-API-Key`): an API key or a customer token. A credential that
/// is not valid is refused here (401); a request without one goes on, and each route says whom it lets in.
struct AuthMiddleware: RouterMiddleware {
    let keys: Keyring
    let tokens: CustomerTokens
    let clock: @Sendable () -> Int64

    func handle(_ request: Request, context: HeraldContext, next: (Request, HeraldContext) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = credential(request) {
            if secret.hasPrefix("hct_") {
                switch tokens.verify(secret, now: clock()) {
                case .success(let contact): context.identity = .customer(contact: contact)
                case .failure(let error): throw Problem.unauthorized("customer token refused: \(error)")
                }
            } else if let key = keys.authenticate(secret) {
                context.identity = .key(name: key.name, role: key.role)
                context.logger[metadataKey: "key"] = .string(key.name)
            } else {
                throw Problem.unauthorized("the API key is not valid")
            }
        }
        return try await next(request, context)
    }

    func credential(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return header
        }
        return request.headers[HTTPField.Name("X-API-Key")!]
    }
}

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        var p = Problem(.unauthorized, "unauthorized", detail)
        p.extraHeaders = [HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"herald\"")]
        return p
    }
}

extension HeraldContext {
    /// Lets the request in when its key has one of `roles` (admin always), or, with `customer`, when it carries a
    /// token for that contact. Otherwise 401 (no credential) or 403.
    func require(_ roles: Set<Role>, customer: String? = nil) throws {
        switch identity {
        case nil: throw Problem.unauthorized("this route needs an API key: Authorization: Bearer <key>")
        case .key(_, let role):
            if role == .admin || roles.contains(role) { return }
            throw Problem(
                .forbidden, "forbidden",
                "a \(role.rawValue) key may not do this; it needs \(roles.map(\.rawValue).sorted().joined(separator: " or ")) (or admin)")
        case .customer(let contact):
            if let customer, customer == contact { return }
            throw Problem(.forbidden, "forbidden", "a customer token may only read and change its own contact's preferences")
        }
    }
}
