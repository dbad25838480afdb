import Foundation
import HeraldCore
import Hummingbird
import NIOCore

extension Request {
    /// The body, refused with 413 past `limit` bytes.
    func bytes(limit: Int) async throws -> ByteBuffer {
        do { return try await body.collect(upTo: limit) } catch {
            throw Problem(.contentTooLarge, "body-too-large", "the request body is larger than \(limit) bytes")
        }
    }

    /// The body as JSON, refused with 400 (malformed, with the place) or 413 (too large).
    /// For a route that takes no body: nothing, or an empty JSON object; anything else is refused before the route
    /// acts, so a client that sent something it meant to matter learns it was not read.
    func noBody(limit: Int) async throws {
        let buffer = try await bytes(limit: limit)
        guard buffer.readableBytes > 0 else { return }
        let value: JSONValue
        do { value = try JSONValue.parse(buffer.readableBytesView) } catch {
            throw Problem(.badRequest, "malformed-json", "the body is not valid JSON: \(error)")
        }
        _ = try Fields(value, allowed: [])
    }

    func json(limit: Int) async throws -> JSONValue {
        let buffer = try await bytes(limit: limit)
        if buffer.readableBytes == 0 { throw Problem(.badRequest, "malformed-json", "the request body is empty; a JSON object is expected") }
        do { return try JSONValue.parse(buffer.readableBytesView) } catch {
            throw Problem(.badRequest, "malformed-json", "the body is not valid JSON: \(error)")
        }
    }
}

/// Strict reading of a JSON object: each field typed, its path in every error, unknown fields refused.
struct Fields {
    let object: [String: JSONValue]
    let path: String
    private let allowed: Set<String>

    init(_ value: JSONValue, path: String = "", allowed: Set<String>) throws {
        guard case .object(let object) = value else {
            throw Problem.field(path.isEmpty ? "(body)" : path, "expected a JSON object, got \(value.kindName)", code: "invalid-body", status: .badRequest)
        }
        self.object = object
        self.path = path
        self.allowed = allowed
        for key in object.keys.sorted() where !allowed.contains(key) {
            let hint = Catalog.closest(key, in: Array(allowed)).map { " (did you mean '\($0)'?)" } ?? ""
            throw Problem.field(name(key), "unknown field\(hint); expected \(allowed.sorted().joined(separator: ", "))", code: "unknown-field")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// True when the field is present and null (a reset).
    func isNull(_ key: String) -> Bool {
        if case .null? = object[key] { return true }
        return false
    }

    func value(_ key: String, required: Bool) throws -> JSONValue? {
        guard let value = object[key], value != .null else {
            if required { throw Problem.field(name(key), "missing", code: "missing-field") }
            return nil
        }
        return value
    }

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .string(let text) = value else { throw Problem.field(name(key), "expected text, got \(value.kindName)") }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = try value(key, required: false) else { return nil }
        guard case .bool(let flag) = value else { throw Problem.field(name(key), "expected true or false, got \(value.kindName)") }
        return flag
    }

    func array(_ key: String, required: Bool = false) throws -> [JSONValue]? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .array(let list) = value else { throw Problem.field(name(key), "expected a list, got \(value.kindName)") }
        return list
    }

    func strings(_ key: String) throws -> [String]? {
        try array(key).map { list in
            try list.enumerated().map { index, item in
                guard case .string(let text) = item else { throw Problem.field("\(name(key))[\(index)]", "expected text, got \(item.kindName)") }
                return text
            }
        }
    }

    /// An object of parameter values (text, numbers, booleans), as text.
    func parameters(_ key: String) throws -> [String: String] {
        guard let value = try value(key, required: false) else { return [:] }
        guard case .object(let object) = value else { throw Problem.field(name(key), "expected an object, got \(value.kindName)") }
        var out: [String: String] = [:]
        for (k, v) in object {
            if case .null = v { continue }
            guard let text = v.text else { throw Problem.field("\(name(key)).\(k)", "expected a value, got \(v.kindName)") }
            out[k] = text
        }
        return out
    }
}

extension Request {
    /// A query parameter.
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    /// An instant from the query: ISO 8601 with an offset, or a duration back from now (`24h`, `7d`).
    /// `?since=` and `?until=`, read by `TimeWindow`.
    func window(now: Int64) throws -> TimeWindow {
        do { return try TimeWindow(since: query("since"), until: query("until"), now: now) } catch {
            throw Problem.field("?\(error.field)", error.text)
        }
    }
}

/// JSON responses: sorted keys, no escaped slashes.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return Response(
        status: status, headers: [.contentType: "application/json", .contentLength: String(data.count)],
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
