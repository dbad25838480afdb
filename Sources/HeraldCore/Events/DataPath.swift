/// Dotted paths into an event's data (`case.number`, `customer.firstName`), and `recipient.…`, which names the
/// person being told.
public enum DataPath {
    /// Names of letters, digits and `_` (not starting with a digit), joined by dots.
    public static func isValid(_ path: some StringProtocol) -> Bool {
        let names = path.split(separator: ".", omittingEmptySubsequences: false)
        return names.allSatisfy { name in
            guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
            return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        }
    }

    /// The path inside the recipient (`firstName` for `recipient.firstName`, empty for `recipient`), or nil when
    /// the path does not name the recipient.
    public static func recipientField(_ path: String) -> Substring? {
        guard path == "recipient" || path.hasPrefix("recipient.") else { return nil }
        return path.dropFirst("recipient".count).drop { $0 == "." }
    }

    /// The path with `recipient` replaced by an audience path (`customer.firstName`).
    public static func resolve(_ path: String, audience: String) -> String {
        guard let field = recipientField(path) else { return path }
        return field.isEmpty ? audience : "\(audience).\(field)"
    }
}
