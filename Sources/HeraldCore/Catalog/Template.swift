import Foundation
import HeraldICU
import Yams

/// A message Herald can send: what answers which event, to whom, and with which typed parameters.
/// Its text lives in each locale file under the template's id.
public struct Template: Sendable, Equatable, Codable {
    public enum Priority: String, Sendable, Codable {
        /// Waits for the end of the recipient's quiet hours.
        case normal
        /// May pass quiet hours; never passes an opt-out.
        case urgent
    }

    public var id: String
    /// The event type it answers, e.g. `case.assigned`.
    public var event: String
    /// Who in the event receives it: paths of persons (or lists of persons) in its data, e.g. `assignee`,
    /// `manager`, `customer`. Each person gets one message.
    public var audience: [String]
    /// The path of the person who caused the event (e.g. `actor`); a recipient who is that person is not told
    /// (`self_action`).
    public var skipSelf: String?
    /// Every condition must hold for the rule to apply (per recipient for `recipient.` paths).
    public var conditions: [Condition]
    /// Send relative to a time in the event (reminders), instead of at once.
    public var schedule: Schedule?
    /// A disabled template decides `suppress: sms_disabled` for everyone.
    public var enabled: Bool
    /// The category a recipient can opt out of, e.g. `case_updates`, `billing`.
    public var category: String
    public var priority: Priority
    public var description: String?
    /// Parameters in declaration order.
    public var parameters: [Parameter]
    /// The most SMS segments one message may cost, checked against the worst case by `herald check`.
    public var segmentBudget: Int
    /// How long after its event the message stays worth sending, in seconds.
    public var timeToLive: Int
    /// Where the template was read from, for diagnostics.
    public var file: String
    public var line: Int?
    /// The line of each setting (`audience`, `skipSelf`, `params.total`), so a mistake found later (against the
    /// event type) is reported where it was written.
    public var fieldLines: [String: Int] = [:]

    public func parameter(named name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// The line of a setting, or of the nearest setting that holds it (`params.total.from` → `params.total`).
    public func line(of field: String) -> Int? {
        var key = field
        while true {
            if let line = fieldLines[key] { return line }
            guard let dot = key.lastIndex(of: ".") else { return line }
            key = String(key[..<dot])
        }
    }
}

/// A typed template parameter.
public struct Parameter: Sendable, Equatable, Codable {
    /// Whether `name` can name a parameter: letters of any script, digits and `_`, not starting with a digit. ICU
    /// reads any such word as an argument name (`{prénom}`, `{_x_}`); a name of digits alone is a numbered argument,
    /// and spaces or pattern characters (`{ } # ' ,`) cannot be in one. The name also appears on the command line
    /// (`--param name=value`) and in event paths, which is why it stays a single word.
    public static func isName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .spacingMark } }
            && !name.unicodeScalars.contains { $0.properties.isPatternSyntax || $0.properties.isPatternWhitespace }
    }

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case string, integer, decimal, money, datetime
        /// A string chosen from `values`, for `select` in messages.
        case `enum`
    }

    public var name: String
    public var kind: Kind
    /// For text: the most characters a value may have (longer values are cut and reported).
    public var maxLength: Int?
    /// For money: the ISO 4217 currency code, e.g. `TND`.
    public var currency: String?
    /// For numbers and money: the largest expected value, for the worst-case segment count.
    public var max: Double?
    /// For enums: the allowed values.
    public var values: [String]?
    /// A value used when the caller gives none; without it the parameter is required.
    public var defaultValue: String?
    /// Where an event fills it: a path in the event's data (`case.number`, `recipient.name`); the parameter's
    /// own name when not given.
    public var source: String?
    public var description: String?

    public var isRequired: Bool { defaultValue == nil }
}

extension Template {
    static let keys = [
        "id", "event", "audience", "category", "priority", "description", "params", "segmentBudget", "ttl",
        "skipSelf", "when", "schedule", "enabled",
    ]
    static let parameterKeys = ["type", "maxLength", "currency", "max", "values", "default", "description", "from"]

    /// Parses one template file; nil with diagnostics in `reader` when it has errors.
    static func parse(_ text: String, reader: YAMLReader) -> Template? {
        // Any error in the file (an unknown setting too) keeps the template out of the catalog.
        let errorsBefore = reader.diagnostics.count
        guard let root = reader.root(text), let entries = reader.entries(root, field: nil, allowed: keys) else {
            return nil
        }
        var fields: [String: Node] = [:]
        var fieldLines: [String: Int] = [:]
        for entry in entries {
            fields[entry.key] = entry.value
            fieldLines[entry.key] = entry.keyNode.mark?.line
        }
        // A misspelt setting was already reported with "did you mean": it is not reported missing as well.
        var written: [String] = []
        if case .mapping(let mapping) = root { written = mapping.keys.compactMap(\.string) }
        let misspelt = Set(written.filter { !keys.contains($0) }.compactMap { YAMLReader.closest($0, in: keys) })
        func required(_ key: String) -> Node? {
            if let node = fields[key] { return node }
            if !misspelt.contains(key) { reader.error(root, field: key, "missing; every template declares \(key)") }
            return nil
        }
        let idPattern = #/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/#
        var id = ""
        if let node = required("id"), let value = reader.string(node, field: "id") {
            if value.wholeMatch(of: idPattern) == nil {
                reader.error(node, field: "id", "'\(value)' is not a template id (lowercase words separated by dots, e.g. case.assigned)")
            }
            id = value
        }
        let event = required("event").flatMap { reader.string($0, field: "event") } ?? ""
        var audience: [String] = []
        if let node = required("audience") {
            if case .sequence(let list) = node {
                audience = list.compactMap { reader.path($0, field: "audience") }
            } else if let path = reader.path(node, field: "audience") {
                audience = [path]
            }
            if audience.isEmpty, reader.diagnostics.count == errorsBefore {
                reader.error(node, field: "audience", "name at least one person in the event, e.g. customer")
            }
        }
        let skipSelf = fields["skipSelf"].flatMap { reader.path($0, field: "skipSelf") }
        var conditions: [Condition] = []
        if let node = fields["when"] {
            let lines: [Node]
            if case .sequence(let list) = node { lines = Array(list) } else { lines = [node] }
            for line in lines {
                guard let text = reader.string(line, field: "when") else { continue }
                switch Condition.parse(text) {
                case .success(let condition): conditions.append(condition)
                case .failure(let error): reader.error(line, field: "when", error.message)
                }
            }
        }
        var schedule: Schedule?
        if let node = fields["schedule"], let entries = reader.entries(node, field: "schedule", allowed: ["before", "of"]) {
            var m: [String: Node] = [:]
            for entry in entries { m[entry.key] = entry.value }
            let before = m["before"].flatMap { n -> Int? in
                guard let text = reader.string(n, field: "schedule.before") else { return nil }
                guard let seconds = Duration.seconds(parsing: text) else {
                    reader.error(n, field: "schedule.before", "'\(text)' is not a duration (e.g. 24h, 2d, 90m)")
                    return nil
                }
                return seconds
            }
            let of = m["of"].flatMap { reader.path($0, field: "schedule.of") }
            if m["before"] == nil { reader.error(node, field: "schedule.before", "missing; how long before, e.g. 24h") }
            if m["of"] == nil { reader.error(node, field: "schedule.of", "missing; the event's date-time field, e.g. appointment.at") }
            if let before, let of { schedule = Schedule(before: before, of: of) }
        }
        var enabled = true
        if let node = fields["enabled"] {
            if let flag = node.bool { enabled = flag } else { reader.error(node, field: "enabled", "expected true or false") }
        }
        let category = required("category").flatMap { reader.string($0, field: "category") } ?? ""
        let priority = fields["priority"].flatMap {
            reader.choice($0, field: "priority", from: ["normal", "urgent"]).flatMap(Priority.init(rawValue:))
        } ?? .normal
        let description = fields["description"].flatMap { reader.string($0, field: "description") }
        let budget = required("segmentBudget").flatMap { reader.int($0, field: "segmentBudget", range: 1...10) } ?? 1
        var ttl = 0
        if let node = required("ttl"), let value = reader.string(node, field: "ttl") {
            if let seconds = Duration.seconds(parsing: value) { ttl = seconds } else {
                reader.error(node, field: "ttl", "'\(value)' is not a duration (e.g. 30m, 24h, 3d, 1h30m)")
            }
        }
        var parameters: [Parameter] = []
        if let node = fields["params"], let list = reader.entries(node, field: "params") {
            for (name, keyNode, value) in list {
                fieldLines["params.\(name)"] = keyNode.mark?.line
                if !Parameter.isName(name) {
                    reader.error(keyNode, field: "params.\(name)",
                                 "a parameter name is letters (any script: prénom, ስም), digits and _, not starting with a digit")
                    continue
                }
                if let parameter = Parameter.parse(name: name, node: value, reader: reader) {
                    parameters.append(parameter)
                }
            }
        }
        guard reader.diagnostics.count == errorsBefore else { return nil }
        return Template(
            id: id, event: event, audience: audience, skipSelf: skipSelf, conditions: conditions, schedule: schedule,
            enabled: enabled, category: category, priority: priority, description: description,
            parameters: parameters, segmentBudget: budget, timeToLive: ttl, file: reader.file, line: root.mark?.line,
            fieldLines: fieldLines)
    }
}

extension Parameter {
    static func parse(name: String, node: Node, reader: YAMLReader) -> Parameter? {
        let path = "params.\(name)"
        // `name: string` is short for `name: {type: string}`.
        if case .scalar = node {
            guard let kind = reader.choice(node, field: "\(path).type", from: Kind.allCases.map(\.rawValue))
                .flatMap(Kind.init(rawValue:))
            else { return nil }
            return validate(Parameter(name: name, kind: kind), node: node, reader: reader)
        }
        guard let entries = reader.entries(node, field: path, allowed: Template.parameterKeys) else { return nil }
        var fields: [String: Node] = [:]
        for entry in entries { fields[entry.key] = entry.value }
        guard let typeNode = fields["type"] else {
            reader.error(node, field: "\(path).type", "missing; one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        guard let kind = reader.choice(typeNode, field: "\(path).type", from: Kind.allCases.map(\.rawValue))
            .flatMap(Kind.init(rawValue:))
        else { return nil }
        var parameter = Parameter(name: name, kind: kind)
        parameter.maxLength = fields["maxLength"].flatMap { reader.int($0, field: "\(path).maxLength", range: 1...1000) }
        parameter.currency = fields["currency"].flatMap { reader.string($0, field: "\(path).currency") }
        if let maxNode = fields["max"] {
            if let value = maxNode.string.flatMap(Double.init) { parameter.max = value } else {
                reader.error(maxNode, field: "\(path).max", "expected a number")
            }
        }
        if let valuesNode = fields["values"] {
            if case .sequence(let sequence) = valuesNode {
                parameter.values = sequence.compactMap { reader.string($0, field: "\(path).values") }
            } else {
                reader.error(valuesNode, field: "\(path).values", "expected a list, e.g. [open, closed]")
            }
        }
        parameter.defaultValue = fields["default"].flatMap { reader.string($0, field: "\(path).default") }
        parameter.description = fields["description"].flatMap { reader.string($0, field: "\(path).description") }
        parameter.source = fields["from"].flatMap { reader.path($0, field: "\(path).from") }
        return validate(parameter, node: node, reader: reader)
    }

    private static func validate(_ p: Parameter, node: Node, reader: YAMLReader) -> Parameter? {
        let path = "params.\(p.name)"
        var p = p
        switch p.kind {
        case .string:
            if p.maxLength == nil {
                reader.error(node, field: "\(path).maxLength", "a string parameter declares its maximum length")
                return nil
            }
        case .money:
            guard let code = p.currency else {
                reader.error(node, field: "\(path).currency", "a money parameter declares its ISO 4217 currency, e.g. TND")
                return nil
            }
            if code.wholeMatch(of: #/^[A-Z]{3}$/#) == nil || !ICU.isCurrency(code) {
                let upper = code.uppercased()
                let hint = upper != code && ICU.isCurrency(upper) ? " (write \(upper))" : ""
                reader.error(node, field: "\(path).currency", "'\(code)' is not an ISO 4217 currency code\(hint)")
                return nil
            }
        case .enum:
            guard let values = p.values, !values.isEmpty else {
                reader.error(node, field: "\(path).values", "an enum parameter lists its values")
                return nil
            }
            p.maxLength = values.map(\.count).max()
        case .integer, .decimal, .datetime:
            break
        }
        if p.kind != .money, p.currency != nil {
            reader.error(node, field: "\(path).currency", "only money parameters have a currency")
            return nil
        }
        if let value = p.defaultValue {
            do { _ = try ParameterValue.parse(value, as: p, timeZone: "UTC") } catch {
                reader.error(node, field: "\(path).default", error.message)
                return nil
            }
        }
        return p
    }
}

enum Duration {
    /// A hundred years, in seconds: the longest duration Herald takes.
    static let longest = 100 * 365 * 86400

    /// Seconds in a duration such as `90s`, `30m`, `24h`, `3d` or `1h30m`; nil when malformed or over a century.
    static func seconds(parsing text: String) -> Int? {
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else { return nil }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            // No duration Herald takes is longer than a century; a longer one (or one that would overflow) is
            // malformed, not a crash.
            let (part, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow, part <= Self.longest, total + part <= Self.longest else { return nil }
            total += part
            digits = ""
            sawUnit = true
        }
        return sawUnit && digits.isEmpty && total > 0 ? total : nil
    }
}

/// Durations as people write them (`90s`, `30m`, `24h`, `7d`), for other modules.
public enum DurationText {
    /// Seconds, or nil when malformed.
    public static func seconds(_ text: String) -> Int? { Duration.seconds(parsing: text) }
    /// The shortest text for a number of seconds.
    public static func text(seconds: Int) -> String { Duration.text(seconds: seconds) }
}
