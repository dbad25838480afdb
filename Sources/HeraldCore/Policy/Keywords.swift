import Foundation

/// The words a person may text back to opt out or in (`STOP`, `ARRÊT`, `ቁም`, `START`…), gathered from every
/// locale's `keywords` lists. A text is a keyword when it is one as a whole (`Arrêt !`) or its first word is
/// (`stop please`), compared in upper case without surrounding spaces, punctuation or symbols.
public struct Keywords: Sendable {
    public enum Kind: String, Sendable, Codable {
        case stop, start
    }

    /// A text that is a keyword: which kind, the word as matched, and the locales whose lists have it (`STOP` is
    /// in several).
    public struct Match: Sendable, Equatable {
        public var kind: Kind
        public var word: String
        public var locales: [String]
    }

    private var words: [String: (kind: Kind, locales: [String])] = [:]

    public init(catalog: Catalog) {
        for file in catalog.sortedLocales {
            for (kind, list) in [(Kind.stop, file.stopKeywords), (.start, file.startKeywords)] {
                for word in list {
                    let key = Self.normalize(word)
                    // A word listed as stop in one locale and start in another keeps the kind it was first given.
                    if words[key] == nil { words[key] = (kind, []) }
                    if words[key]!.kind == kind { words[key]!.locales.append(file.id) }
                }
            }
        }
    }

    /// Upper case, without surrounding spaces, punctuation and symbols.
    public static func normalize(_ word: some StringProtocol) -> String {
        word.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols)).uppercased()
    }

    /// The keyword `text` is, if any.
    public func match(_ text: String) -> Match? {
        let whole = Self.normalize(text)
        if let hit = words[whole] { return Match(kind: hit.kind, word: whole, locales: hit.locales) }
        let first = whole.split(whereSeparator: { $0.isWhitespace }).first.map { Self.normalize($0) } ?? ""
        if let hit = words[first] { return Match(kind: hit.kind, word: first, locales: hit.locales) }
        return nil
    }
}
