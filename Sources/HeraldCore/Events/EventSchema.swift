import Yams

/// The fields an event type carries, declared in `Events/TYPE.yaml`: the contract between a backend and Herald.
/// Events are checked against it on arrival, and `herald check` checks rules against it.
public struct EventSchema: Sendable, Equatable {
    public enum FieldType: String, Sendable, CaseIterable {
        case string, integer, number, datetime, boolean
        /// A contact: an object with `id`, and optionally `phone`, `name`, `language`, `timeZone`, `region`.
        case person
        /// A list of persons.
        case people
        case object
    }

    public struct Field: Sendable, Equatable {
        public var path: String
        public var type: FieldType
        public var optional: Bool
        public var description: String?
    }

    public var type: String
    public var description: String?
    /// Fields in declaration order, by dotted path inside `data`.
    public var fields: [Field]
    public var file: String
    public var line: Int?

    /// The fields every person object may carry.
    public static let personFields: [String: FieldType] = [
        "id": .string, "phone": .string, "name": .string, "language": .string, "timeZone": .string, "region": .string,
    ]

    public func field(_ path: String) -> Field? { fields.first { $0.path == path } }

    /// Whether an event may lack the path: it, or a field it sits in, is optional.
    public func isOptional(_ path: String) -> Bool {
        var owner = Substring(path)
        while true {
            if field(String(owner))?.optional ?? false { return true }
            guard let dot = owner.lastIndex(of: ".") else { return false }
            owner = owner[..<dot]
        }
    }

    /// The declared type of a path: a declared field, or a standard field of a declared person.
    public func type(of path: String) -> FieldType? {
        if let field = field(path) { return field.type }
        guard let dot = path.lastIndex(of: ".") else { return nil }
        let owner = String(path[..<dot]), key = String(path[path.index(after: dot)...])
        guard let ownerType = type(of: owner), ownerType == .person else { return nil }
        return Self.personFields[key]
    }

    static let keys = ["type", "description", "fields"]
    static let fieldKeys = ["type", "optional", "description"]

    static func parse(_ text: String, reader: YAMLReader) -> EventSchema? {
        guard let root = reader.root(text), let entries = reader.entries(root, field: nil, allowed: keys) else {
            return nil
        }
        let before = reader.diagnostics.count
        var map: [String: Node] = [:]
        for entry in entries { map[entry.key] = entry.value }
        guard let typeNode = map["type"], let type = reader.string(typeNode, field: "type") else {
            reader.error(root, field: "type", "missing; the event type, e.g. case.assigned")
            return nil
        }
        var fields: [Field] = []
        if let node = map["fields"], let list = reader.entries(node, field: "fields") {
            for (path, keyNode, value) in list {
                let field = "fields.\(path)"
                if !DataPath.isValid(path) {
                    reader.error(keyNode, field: field, "a field is a dotted path of names, e.g. case.number")
                    continue
                }
                var typeName: Node = value
                var optional = false
                var description: String?
                if case .mapping = value {
                    guard let entries = reader.entries(value, field: field, allowed: fieldKeys) else { continue }
                    var m: [String: Node] = [:]
                    for entry in entries { m[entry.key] = entry.value }
                    guard let t = m["type"] else {
                        reader.error(value, field: "\(field).type", "missing; one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    typeName = t
                    if let o = m["optional"] {
                        guard let flag = o.bool else {
                            reader.error(o, field: "\(field).optional", "expected true or false")
                            continue
                        }
                        optional = flag
                    }
                    description = m["description"].flatMap { reader.string($0, field: "\(field).description") }
                }
                guard let name = reader.choice(typeName, field: "\(field).type", from: FieldType.allCases.map(\.rawValue)),
                    let kind = FieldType(rawValue: name)
                else { continue }
                fields.append(Field(path: path, type: kind, optional: optional, description: description))
            }
        }
        let schema = EventSchema(
            type: type, description: map["description"].flatMap { reader.string($0, field: "description") },
            fields: fields, file: reader.file, line: root.mark?.line)
        for field in fields {
            // A field inside another declared field must sit inside an object or a person.
            var owner = field.path
            while let dot = owner.lastIndex(of: ".") {
                owner = String(owner[..<dot])
                if let parent = schema.field(owner), ![.object, .person].contains(parent.type) {
                    reader.error(root, field: "fields.\(field.path)", "'\(owner)' is \(parent.type.rawValue), so it has no fields")
                }
            }
        }
        return reader.diagnostics.count == before ? schema : nil
    }
}
