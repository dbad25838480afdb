import Foundation
import HeraldICU

/// A business event as a backend posts it: `{"id", "type", "occurredAt", "data"}`; `occurredAt` may be left out.
public struct Event: Sendable, Equatable {
    /// The backend's id; a second delivery of the same id changes nothing.
    public var id: String
    public var type: String
    /// When it happened, epoch milliseconds; nil when the backend did not say, and the time Herald received it
    /// then stands for it (see `occurred(receivedAt:)`).
    public var occurredAt: Int64?
    /// The business objects and the people in them.
    public var data: JSONValue

    public init(id: String, type: String, occurredAt: Int64?, data: JSONValue) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.data = data
    }

    /// When it happened: `occurredAt`, or the time it was received when the backend did not say.
    public func occurred(receivedAt: Int64) -> Int64 { occurredAt ?? receivedAt }

    /// The envelope as stored: compact JSON with sorted keys (no `occurredAt` when the backend gave none).
    public func json() -> String {
        var object: [String: JSONValue] = ["id": .string(id), "type": .string(type), "data": data]
        if let occurredAt { object["occurredAt"] = .string(Renderer.iso8601(ms: Double(occurredAt))) }
        return JSONValue.object(object).serialized
    }
}

/// Why an event was refused. Nothing of a refused event is stored.
public struct EventError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case malformedJSON = "malformed_json"
        case missingField = "missing_field"
        case invalidField = "invalid_field"
        case unknownType = "unknown_type"
        case renderFailed = "render_failed"
    }

    public var code: Code
    /// The path of the field at fault, from the envelope's top (`data.assignee.phone`), when one.
    public var field: String?
    public var message: String
    /// The event id, when it could be read.
    public var eventID: String?

    public init(_ code: Code, field: String? = nil, _ message: String, eventID: String? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.eventID = eventID
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

extension Event {
    /// Reads an event envelope from JSON and checks it against the catalog's schema for its type.
    public static func parse(_ json: Data, catalog: Catalog) throws(EventError) -> Event {
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch {
            throw EventError(.malformedJSON, "not valid JSON: \(error)")
        }
        return try parse(value, catalog: catalog)
    }

    public static func parse(_ value: JSONValue, catalog: Catalog) throws(EventError) -> Event {
        guard case .object(let envelope) = value else {
            throw EventError(.malformedJSON, "an event is a JSON object with id, type, occurredAt and data")
        }
        let eventID = envelope["id"]?.text
        func fail(_ code: EventError.Code, _ field: String?, _ message: String) -> EventError {
            EventError(code, field: field, message, eventID: eventID)
        }
        for key in envelope.keys.sorted() where !["id", "type", "occurredAt", "data"].contains(key) {
            throw fail(.invalidField, key, "unknown field; an event has id, type, occurredAt and data")
        }
        guard let idValue = envelope["id"], case .string(let id) = idValue else {
            throw fail(envelope["id"] == nil ? .missingField : .invalidField, "id", "the backend's event id, as text, is required")
        }
        guard !id.isEmpty, id.count <= 200, !id.contains(where: { $0.isNewline }) else {
            throw fail(.invalidField, "id", "an event id is 1 to 200 characters on one line")
        }
        guard let typeValue = envelope["type"], case .string(let type) = typeValue else {
            throw fail(envelope["type"] == nil ? .missingField : .invalidField, "type", "the event type, as text, is required (e.g. case.assigned)")
        }
        guard let schema = catalog.events[type] else {
            let hint = YAMLReader.closest(type, in: Array(catalog.events.keys)).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail(.unknownType, "type", "unknown event type '\(type)'\(hint)")
        }
        var occurred: Int64?
        if let occurredValue = envelope["occurredAt"] {
            guard case .string(let occurredText) = occurredValue else {
                throw fail(.invalidField, "occurredAt",
                           "when it happened, as ISO 8601 text with an offset (e.g. 2026-11-23T09:00:00Z), or left out for the time Herald receives it")
            }
            guard ParameterValue.hasOffset(occurredText), let ms = ParameterValue.epochMilliseconds(occurredText, timeZone: "UTC") else {
                throw fail(.invalidField, "occurredAt", "'\(occurredText)' is not an ISO 8601 date-time with Z or an offset (e.g. 2026-11-23T09:00:00+01:00)")
            }
            occurred = Int64(ms)
        }
        guard let data = envelope["data"], case .object = data else {
            throw fail(envelope["data"] == nil ? .missingField : .invalidField, "data", "an object with the event's business objects and people")
        }
        let event = Event(id: id, type: type, occurredAt: occurred, data: data)
        do { try schema.validate(data) } catch {
            var error = error
            error.eventID = id
            throw error
        }
        return event
    }

}

extension EventSchema {
    /// Checks `data` against the declared fields; throws for the first one missing or of the wrong type.
    func validate(_ data: JSONValue) throws(EventError) {
        for field in fields {
            let path = "data.\(field.path)"
            guard let value = data[path: field.path] else {
                // An optional field's children are not required when it is absent.
                if field.optional || hasAbsentOptionalOwner(field.path, in: data) { continue }
                throw EventError(.missingField, field: path, "required by event type '\(type)' (\(field.type.rawValue))")
            }
            try Self.check(value, as: field.type, path: path)
        }
    }

    private func hasAbsentOptionalOwner(_ path: String, in data: JSONValue) -> Bool {
        var owner = path
        while let dot = owner.lastIndex(of: ".") {
            owner = String(owner[..<dot])
            if let field = field(owner), field.optional, data[path: owner] == nil { return true }
        }
        return false
    }

    static func check(_ value: JSONValue, as type: FieldType, path: String) throws(EventError) {
        func wrong(_ expected: String) -> EventError {
            EventError(.invalidField, field: path, "expected \(expected), got \(value.kindName)")
        }
        switch type {
        case .string:
            guard case .string = value else { throw wrong("text") }
        case .integer:
            if case .number(let n) = value, n == n.rounded() { return }
            if case .string(let s) = value, Int64(s) != nil { return }
            throw wrong("a whole number")
        case .number:
            if case .number = value { return }
            if case .string(let s) = value, ParameterValue.isDecimal(s) { return }
            throw wrong("a number")
        case .boolean:
            guard case .bool = value else { throw wrong("true or false") }
        case .datetime:
            guard case .string(let s) = value else { throw wrong("an ISO 8601 date-time") }
            guard ParameterValue.hasOffset(s) || s.count <= 19, ParameterValue.epochMilliseconds(s, timeZone: "UTC") != nil else {
                throw EventError(.invalidField, field: path, "'\(s)' is not an ISO 8601 date-time (e.g. 2026-11-24T10:30:00+01:00)")
            }
        case .object:
            guard case .object = value else { throw wrong("an object") }
        case .person:
            try checkPerson(value, path: path)
        case .people:
            guard case .array(let list) = value else { throw wrong("a list of persons") }
            for (index, person) in list.enumerated() { try checkPerson(person, path: "\(path)[\(index)]") }
        }
    }

    public static func checkPerson(_ value: JSONValue, path: String) throws(EventError) {
        guard case .object(let person) = value else {
            throw EventError(.invalidField, field: path, "expected a person ({\"id\": …, \"phone\": …}), got \(value.kindName)")
        }
        guard let id = person["id"]?.text, !id.isEmpty, id.count <= 200 else {
            throw EventError(person["id"] == nil ? .missingField : .invalidField, field: "\(path).id",
                             "a person needs an id (text or number, up to 200 characters)")
        }
        for (key, type) in personFields where key != "id" {
            guard let field = person[key], field != .null else { continue }
            guard case .string(let text) = field else {
                throw EventError(.invalidField, field: "\(path).\(key)", "expected \(type.rawValue) text, got \(field.kindName)")
            }
            let problem: String? =
                switch key {
                case "language": ValueCheck.language(text)
                case "timeZone": ValueCheck.timeZone(text)
                case "region": ValueCheck.region(text)
                default: nil
                }
            if let problem { throw EventError(.invalidField, field: "\(path).\(key)", problem) }
        }
    }
}
