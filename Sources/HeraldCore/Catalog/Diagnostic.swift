/// A problem found in a catalog file: where it is, which field, and why.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning, note

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.error, .warning, .note]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public var severity: Severity
    /// The file, as given to the loader (relative paths stay relative).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// The field path inside the file, e.g. `params.total.currency` or `messages.case.assigned`.
    public var field: String?
    public var message: String
    /// 1-based column (in characters) on `line`, when known.
    public var column: Int?

    public init(_ severity: Severity, file: String, line: Int?, column: Int? = nil, field: String? = nil, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `file:line[:column]: severity: field: message`, the form editors and CI logs link to.
    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        if line != nil, let column { out += ":\(column)" }
        out += ": \(severity.rawValue): "
        if let field { out += "\(field): " }
        return out + message
    }
}

extension [Diagnostic] {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
