/// A condition of a rule, written as one line in a template's `when:` list:
/// `case.title exists`, `case.title missing`, `case.status == resolved`, `case.status != closed`,
/// `case.priority in [high, urgent]`. Paths are inside the event's data; `recipient.` names the person being told.
public struct Condition: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Test: Sendable, Equatable, Codable {
        case exists
        case missing
        case equals(String)
        case notEquals(String)
        case oneOf([String])
    }

    public var path: String
    public var test: Test
    /// The line as written.
    public var source: String

    public var description: String { source }

    /// Whether it reads the person being told (`recipient.…`) rather than the event alone.
    public var isPerRecipient: Bool { DataPath.recipientField(path) != nil }

    /// Parses one line; nil with a reason when it is not a condition.
    public static func parse(_ line: String) -> Result<Condition, ConditionSyntaxError> {
        let text = line.trimmingCharacters(in: .whitespaces)
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard let path = words.first, DataPath.isValid(path) else {
            return .failure(ConditionSyntaxError(message: "'\(text)' does not start with a field path (e.g. case.title exists)"))
        }
        func value(_ raw: String) -> String {
            let v = raw.trimmingCharacters(in: .whitespaces)
            if v.count >= 2, let first = v.first, first == "\"" || first == "'", v.last == first {
                return String(v.dropFirst().dropLast())
            }
            return v
        }
        let test: Test
        switch (words.count, words.count > 1 ? words[1] : "") {
        case (2, "exists"): test = .exists
        case (2, "missing"): test = .missing
        case (3, "=="): test = .equals(value(words[2]))
        case (3, "!="): test = .notEquals(value(words[2]))
        case (3, "in"):
            let list = words[2].trimmingCharacters(in: .whitespaces)
            guard list.hasPrefix("["), list.hasSuffix("]") else {
                return .failure(ConditionSyntaxError(message: "'\(text)': 'in' takes a list, e.g. \(path) in [high, urgent]"))
            }
            test = .oneOf(list.dropFirst().dropLast().split(separator: ",").map { value(String($0)) })
        default:
            return .failure(ConditionSyntaxError(
                message: "'\(text)' is not a condition; write PATH exists, PATH missing, PATH == VALUE, PATH != VALUE or PATH in [A, B]"))
        }
        return .success(Condition(path: path, test: test, source: text))
    }

    /// Evaluates the condition on a value found at its path (nil when absent).
    public func holds(for value: JSONValue?) -> Bool {
        switch test {
        case .exists: return value.map(Self.hasValue) ?? false
        case .missing: return !(value.map(Self.hasValue) ?? false)
        case .equals(let expected): return value?.text == expected
        case .notEquals(let expected): return value?.text != expected
        case .oneOf(let list): return value?.text.map(list.contains) ?? false
        }
    }

    /// Empty text and empty lists count as no value.
    static func hasValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .string(let s): !s.trimmingCharacters(in: .whitespaces).isEmpty
        case .array(let a): !a.isEmpty
        default: true
        }
    }
}

public struct ConditionSyntaxError: Error, Sendable {
    public var message: String
}

/// When a template is sent relative to a time in its event, e.g. 24 hours before `appointment.at`.
public struct Schedule: Sendable, Equatable, Codable {
    /// Seconds before the time.
    public var before: Int
    /// The path of a datetime field in the event data.
    public var of: String
}
