import Foundation

/// A locale file with one message replaced by a draft: the file as it would be once the draft is pasted in, and
/// the entry to paste. The draft is written as a literal block (`|2-`), so its lines are the file's lines below the
/// entry's key, each indented by `indent + 2`: a diagnostic in the file maps back to a line and column of the draft.
public struct LocaleDraft: Sendable, Equatable {
    /// The whole file with the draft in place.
    public var file: String
    /// The entry for the template, as it stands in `file` (key line and text).
    public var entry: String
    /// The 1-based line of the entry's key in `file`.
    public var keyLine: Int
    /// Spaces before the entry's key.
    public var indent: Int

    /// Puts `text` in `source` (a locale file) as the message of `template`: in place of its entry when the file
    /// has one, at the end of `messages:` otherwise (a `messages:` block is added when the file has none).
    public init(source: String, template: String, text: String) {
        var lines = source.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isContent(_ line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        let messages = lines.firstIndex { $0.hasPrefix("messages:") }
        // The messages block runs to the next line of content at the top level.
        var blockEnd = lines.count
        if let messages {
            blockEnd = lines[(messages + 1)...].firstIndex { isContent($0) && indentation($0) == 0 } ?? lines.count
        }
        var indent = 2
        var replaced: Range<Int>?
        if let messages {
            for i in (messages + 1)..<blockEnd where isContent(lines[i]) {
                let key = lines[i].dropFirst(indentation(lines[i]))
                if indentation(lines[i]) > 0 { indent = indentation(lines[i]) }
                guard Self.key(of: String(key)) == template else { continue }
                let own = indentation(lines[i])
                var end = i + 1
                while end < blockEnd, !isContent(lines[end]) || indentation(lines[end]) > own { end += 1 }
                // Blank or comment lines just before the next entry belong to it.
                while end > i + 1, !isContent(lines[end - 1]) { end -= 1 }
                indent = own
                replaced = i..<end
                break
            }
        }
        let pad = String(repeating: " ", count: indent)
        let body = text.components(separatedBy: "\n").map { $0.isEmpty ? "" : pad + "  " + $0 }
        let entryLines = ["\(pad)\(Self.quotedKey(template)): |2-"] + body
        var at: Int
        if let replaced {
            lines.replaceSubrange(replaced, with: entryLines)
            at = replaced.lowerBound
        } else if messages != nil {
            // After the last line of content of the block.
            var end = blockEnd
            while end > messages! + 1, !isContent(lines[end - 1]) { end -= 1 }
            lines.insert(contentsOf: entryLines, at: end)
            at = end
        } else {
            lines.append("messages:")
            at = lines.count
            lines += entryLines
        }
        file = lines.joined(separator: "\n") + "\n"
        entry = entryLines.joined(separator: "\n") + "\n"
        keyLine = at + 1
        self.indent = indent
    }

    /// Where a position of the file falls in the draft: 1-based line and column of the text, or nil when it is
    /// outside it.
    public func draftPosition(line: Int?, column: Int?) -> (line: Int, column: Int?)? {
        guard let line, line > keyLine else { return nil }
        let draftLine = line - keyLine
        guard draftLine <= entry.components(separatedBy: "\n").count - 2 else { return nil }
        return (draftLine, column.map { Swift.max(1, $0 - indent - 2) })
    }

    /// The key an entry line starts with (`case.assigned:` or `"case.assigned":`), nil when none.
    static func key(of line: String) -> String? {
        if line.hasPrefix("\"") || line.hasPrefix("'") {
            let quote = line.first!
            guard let close = line.dropFirst().firstIndex(of: quote) else { return nil }
            return String(line[line.index(after: line.startIndex)..<close])
        }
        guard let colon = line.range(of: ":") else { return nil }
        return String(line[..<colon.lowerBound]).trimmingCharacters(in: .whitespaces)
    }

    static func quotedKey(_ id: String) -> String {
        id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" } ? id : "\"\(id)\""
    }
}
