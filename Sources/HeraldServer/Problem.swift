import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore

/// An RFC 9457 problem-details response (`application/problem+json`): what went wrong, and for bad input, each
/// field at fault with the reason. Thrown by handlers; nothing is changed when one is thrown.
public struct Problem: Error, HTTPResponseError, Sendable, Encodable {
    public struct FieldError: Sendable, Encodable, Equatable {
        /// A JSON path into the request (`recipients[3].phone`), or a query parameter (`?since`).
        public var field: String
        public var reason: String
    }

    /// `https://herald.dev/problems/<code>`: stable, one per kind of problem.
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String
    public var errors: [FieldError]?
    public var instance: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String, errors: [FieldError]? = nil) {
        self.status = status
        type = "https://herald.dev/problems/\(code)"
        title = status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    /// Bad input in one field.
    public static func field(_ field: String, _ reason: String, code: String = "invalid-field", status: HTTPResponse.Status = .unprocessableContent) -> Problem {
        Problem(status, code, "\(field): \(reason)", errors: [FieldError(field: field, reason: reason)])
    }

    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "not-found", detail) }

    public var extraHeaders: [HTTPField] = []

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/problem+json"]
        for field in extraHeaders { fields.append(field) }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var copy = self
        // A contact keyed by its number (`/v1/contacts/+251911765432/…`) is masked, as in the logs.
        copy.instance = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { PhoneNumber.maskID(String($0).removingPercentEncoding ?? String($0)) }.joined(separator: "/")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(copy)
        var headers = self.headers
        headers[.contentLength] = String(body.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors, instance }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(title, forKey: .title)
        try c.encode(status.code, forKey: .status)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(errors, forKey: .errors)
        try c.encodeIfPresent(instance, forKey: .instance)
    }
}

extension Problem {
    /// A render failure, pointed at the request field it came from.
    static func render(_ error: RenderError, prefix: String = "") -> Problem {
        switch error.code {
        case .unknownTemplate: return .field(prefix + "template", error.message, code: "unknown-template")
        case .invalidTimeZone: return .field(prefix + "timeZone", error.message, code: "invalid-time-zone")
        case .invalidLocale, .noMessage: return .field(prefix + "locale", error.message, code: "invalid-locale")
        case .missingParameter, .unknownParameter, .invalidParameter:
            return .field(prefix + "params.\(error.parameter ?? "?")", error.message, code: error.code.rawValue.replacingOccurrences(of: "_", with: "-"))
        case .messageFormat: return Problem(.unprocessableContent, "message-format", error.message)
        }
    }

    /// A refused event, pointed at its field.
    static func event(_ error: EventError, prefix: String = "") -> Problem {
        let code = error.code.rawValue.replacingOccurrences(of: "_", with: "-")
        if let field = error.field {
            var p = Problem.field(prefix + field, error.message, code: code)
            if error.code == .malformedJSON { p.status = .badRequest; p.title = "Bad Request" }
            return p
        }
        return Problem(error.code == .malformedJSON ? .badRequest : .unprocessableContent, code, error.message)
    }
}

extension Problem {
    /// A storage fault: 507 for a full disk, 503 with `Retry-After` for the others; the request changed nothing.
    static func storage(_ fault: StorageFault) -> Problem {
        switch fault.kind {
        case .full:
            return Problem(.init(code: 507, reasonPhrase: "Insufficient Storage"), "storage-full", fault.detail)
        case .readOnly, .busy, .unavailable:
            var problem = Problem(.serviceUnavailable, "storage-\(fault.kind == .readOnly ? "read-only" : fault.kind.rawValue)", fault.detail)
            problem.extraHeaders = [HTTPField(name: .retryAfter, value: "5")]
            return problem
        }
    }
}
