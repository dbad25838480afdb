import Yams

/// Reads one YAML file into typed values, collecting a diagnostic with file, line and field for each mistake.
final class YAMLReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    /// Parses the text; nil (with a diagnostic) when it is not YAML or not a mapping at the top.
    func root(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                error(line: 1, field: nil, "the file is empty")
                return nil
            }
            guard case .mapping = node else {
                error(node, field: nil, "expected a mapping of settings at the top of the file")
                return nil
            }
            return node
        } catch let yaml as YamlError {
            error(line: Self.line(of: yaml), field: nil, Self.describe(yaml))
            return nil
        } catch {
            self.error(line: nil, field: nil, "\(error)")
            return nil
        }
    }

    /// An error at a node: its line and column.
    func error(_ node: Node?, field: String?, _ message: String) {
        diagnostics.append(Diagnostic(.error, file: file, line: node?.mark?.line, column: node?.mark?.column, field: field, message))
    }

    func error(line: Int?, field: String?, _ message: String) {
        diagnostics.append(Diagnostic(.error, file: file, line: line, field: field, message))
    }

    func warning(_ node: Node?, field: String?, _ message: String) {
        diagnostics.append(Diagnostic(.warning, file: file, line: node?.mark?.line, column: node?.mark?.column, field: field, message))
    }

    /// The entries of a mapping in file order; reports keys outside `allowed` (when given) as unknown settings.
    func entries(_ node: Node, field: String?, allowed: [String]? = nil) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error(node, field: field, "expected a mapping (key: value lines)")
            return nil
        }
        var out: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string, case .scalar = key else {
                error(key, field: field, "keys must be plain text")
                continue
            }
            if let allowed, !allowed.contains(name) {
                let path = field.map { "\($0).\(name)" } ?? name
                let hint = Self.closest(name, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                error(key, field: path, "unknown setting '\(name)'\(hint); expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            out.append((name, key, value))
        }
        return out
    }

    func string(_ node: Node, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, field: field, "expected text")
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, field: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            error(node, field: field, "expected a whole number, got '\(node.string ?? "a structure")'")
            return nil
        }
        if let range, !range.contains(value) {
            error(node, field: field, "\(value) is out of range \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, field: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            error(node, field: field, "expected true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, field: field, "expected true or false, got '\(scalar.string)'")
            return nil
        }
    }

    /// A dotted path into event data, e.g. `case.number` or `recipient.name`.
    func path(_ node: Node, field: String) -> String? {
        guard let value = string(node, field: field) else { return nil }
        guard DataPath.isValid(value) else {
            error(node, field: field, "'\(value)' is not a path into the event's data (names joined by dots, e.g. case.number)")
            return nil
        }
        return value
    }

    func choice(_ node: Node, field: String, from allowed: [String]) -> String? {
        guard let value = string(node, field: field) else { return nil }
        guard allowed.contains(value) else {
            let hint = Self.closest(value, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            error(node, field: field, "'\(value)' is not one of: \(allowed.joined(separator: ", "))\(hint)")
            return nil
        }
        return value
    }

    /// The 1-based file line of a UTF-16 offset inside a scalar's text, for errors inside a message.
    static func line(ofOffset offset: Int, in span: TextSpan, source: [Substring]) -> Int {
        let utf16 = span.text.utf16
        let index = utf16.index(utf16.startIndex, offsetBy: max(0, min(offset, utf16.count)))
        let scalarsBefore = span.text.unicodeScalars[..<index].count
        guard span.block else {
            return span.line + span.text.unicodeScalars[..<index].filter { $0 == "\n" }.count
        }
        // Block scalars start on the line after `|` or `>`; every source line adds its text and one break.
        var consumed = 0
        var line = span.line + 1
        while line - 1 < source.count {
            let content = source[line - 1].drop { $0 == " " || $0 == "\t" }
            consumed += content.unicodeScalars.count + 1
            if consumed > scalarsBefore { return line }
            line += 1
        }
        return span.line
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            "YAML syntax: \(problem)" + (context.map { " (\($0.text))" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, _):
            "the same key appears twice: \(duplicates.joined(separator: ", "))"
        default:
            "YAML: \(error)"
        }
    }

    /// The allowed word nearest to a misspelt one, when it is close enough to be a typo.
    static func closest(_ word: String, in candidates: [String]) -> String? {
        if word.count >= 2, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(word.lowercased()) }) {
            return prefixed
        }
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Where a scalar's text stands in its file.
struct TextSpan: Sendable {
    var line: Int
    /// Literal (`|`) or folded (`>`) block scalar.
    var block: Bool
    /// A literal block (`|`): its line breaks are meant.
    var literal: Bool
    var text: String

    init?(_ node: Node) {
        guard case .scalar(let scalar) = node, let mark = scalar.mark else { return nil }
        line = mark.line
        block = scalar.style == .literal || scalar.style == .folded
        literal = scalar.style == .literal
        text = scalar.string
    }
}
