import Foundation
import HeraldICU
import Yams

/// The templates and locales product teams write, loaded from `Templates/` and `Locales/`.
public struct Catalog: Sendable {
    /// Templates by id.
    public var templates: [String: Template]
    /// Locale files by ICU locale id (`fr`, `am`, `fr_TN`).
    public var locales: [String: LocaleFile]
    /// Event types by name, from `Events/`.
    public var events: [String: EventSchema] = [:]
    /// Where every chain ends: the locale used when nothing closer has the message.
    public var defaultLocale: String
    /// Problems found while loading; a catalog with errors is still returned so `check` can report them all.
    public var diagnostics: [Diagnostic]
    /// The locales the catalog must serve, from `Locales/catalog.yaml` (`locales: [fr, en, am]`): each needs its
    /// file and a message for every template. Empty when the catalog declares none.
    public var requiredLocales: [String] = []
    /// Where they are declared, and the line of each.
    var requiredFile: String?
    var requiredLines: [String: Int] = [:]
    /// Templates whose file has errors, by the id the file gives, so their messages are not also reported as
    /// orphans: the file's own errors are the cause.
    var refusedTemplates: [String: String] = [:]
    /// Message nodes kept for line numbers of errors inside message text.
    var messageNodes: [String: [String: TextSpan]] = [:]
    var sources: [String: [Substring]] = [:]

    public init(
        templates: [String: Template] = [:], locales: [String: LocaleFile] = [:], defaultLocale: String = "en",
        diagnostics: [Diagnostic] = []
    ) {
        self.templates = templates
        self.locales = locales
        self.defaultLocale = defaultLocale
        self.diagnostics = diagnostics
    }

    public var sortedTemplates: [Template] { templates.values.sorted { $0.id < $1.id } }
    public var sortedLocales: [LocaleFile] { locales.values.sorted { $0.icuID < $1.icuID } }
    public var sortedEvents: [EventSchema] { events.values.sorted { $0.type < $1.type } }

    /// Why `id` names no template, with the nearest one when there is one: worded once for the renderer, the
    /// CLI and the API.
    public func unknownTemplate(_ id: String) -> String {
        "unknown template '\(id)'" + (Self.closest(id, in: Array(templates.keys)).map { " (did you mean '\($0)'?)" } ?? "")
    }

    /// The candidate nearest to a mistyped word, for "did you mean" hints.
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        YAMLReader.closest(word, in: candidates)
    }


    /// Loads every `*.yaml`/`*.yml` file of the two folders. Unreadable folders are diagnostics, not crashes.
    /// `extra` holds files given in memory (a file sent to check): by folder (`templates`, `locales`, `events`), a
    /// file name and its text; a name already in the folder replaces that file.
    public static func load(
        templates templatesDir: String, locales localesDir: String, events eventsDir: String? = nil,
        defaultLocale: String = "en", extra: [(folder: String, name: String, text: String)] = []
    ) -> Catalog {
        var catalog = Catalog(defaultLocale: defaultLocale)
        let eventsDir = eventsDir ?? ((templatesDir as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("Events")
        for (path, text) in catalog.readFolder(eventsDir, what: "events", required: false, extra: extra.filter { $0.folder == "events" }) {
            let reader = YAMLReader(file: path)
            if let schema = EventSchema.parse(text, reader: reader) {
                register(schema, key: schema.type, field: "type", what: "event type", line: schema.line, file: \.file,
                         path: path, reader: reader, into: &catalog.events)
            }
            catalog.diagnostics += reader.diagnostics
        }
        let templateFiles = catalog.readFolder(templatesDir, what: "templates", extra: extra.filter { $0.folder == "templates" })
        for (path, text) in templateFiles {
            let reader = YAMLReader(file: path)
            if let template = Template.parse(text, reader: reader) {
                register(template, key: template.id, field: "id", what: "template", line: template.line, file: \.file,
                         path: path, reader: reader, into: &catalog.templates)
            } else if let id = text.firstMatch(of: #/(?m)^id:\s*([A-Za-z0-9_.]+)\s*$/#)?.1 {
                catalog.refusedTemplates[String(id)] = path
            }
            catalog.diagnostics += reader.diagnostics
        }
        let localeFiles = catalog.readFolder(localesDir, what: "locales", extra: extra.filter { $0.folder == "locales" })
        for (path, text) in localeFiles {
            let stem = stem(of: path)
            let reader = YAMLReader(file: path)
            if stem == "catalog" {
                catalog.readSettings(text, reader: reader)
                catalog.diagnostics += reader.diagnostics
                continue
            }
            if let (file, nodes) = LocaleFile.parse(text, reader: reader, expectedID: stem) {
                if let existing = catalog.locales[file.icuID] {
                    reader.error(line: 1, field: "locale", "locale '\(file.id)' is also defined in \(existing.file)")
                } else {
                    catalog.locales[file.icuID] = file
                    catalog.messageNodes[file.icuID] = nodes
                    catalog.sources[file.icuID] = text.split(separator: "\n", omittingEmptySubsequences: false)
                }
            }
            catalog.diagnostics += reader.diagnostics
        }
        for id in catalog.requiredLocales {
            let icuID = ICU.localeID(forTag: id.replacingOccurrences(of: "_", with: "-")) ?? id
            if catalog.locales[icuID] == nil, !catalog.diagnostics.contains(where: { stem(of: $0.file) == id && $0.severity == .error }) {
                catalog.diagnostics.append(Diagnostic(
                    .error, file: catalog.requiredFile ?? localesDir, line: catalog.requiredLines[id], field: "locales",
                    "the catalog serves '\(id)' but \(localesDir)/\(id).yaml is missing"))
            }
        }
        if localeFiles.isEmpty {
            catalog.diagnostics.append(Diagnostic(.error, file: localesDir, line: nil, "no locale files (*.yaml) found"))
        } else if catalog.locales[defaultLocale] == nil, !localeFiles.contains(where: {
            ($0.0 as NSString).lastPathComponent.hasPrefix(defaultLocale + ".")
        }) {
            catalog.diagnostics.append(
                Diagnostic(.error, file: localesDir, line: nil, "the default locale '\(defaultLocale)' has no file"))
        }
        if templateFiles.isEmpty {
            catalog.diagnostics.append(Diagnostic(.error, file: templatesDir, line: nil, "no template files (*.yaml) found"))
        }
        return catalog
    }

    /// `Locales/catalog.yaml`: the catalog's own settings, today the locales it must serve.
    mutating func readSettings(_ text: String, reader: YAMLReader) {
        requiredFile = reader.file
        guard let root = reader.root(text), let entries = reader.entries(root, field: nil, allowed: ["locales"]) else { return }
        for (key, _, value) in entries where key == "locales" {
            guard case .sequence(let list) = value else {
                reader.error(value, field: "locales", "expected a list of locales, e.g. [fr, en, am]")
                continue
            }
            for item in list {
                guard let id = reader.string(item, field: "locales") else { continue }
                if ICU.localeID(forTag: id.replacingOccurrences(of: "_", with: "-")) == nil {
                    reader.error(item, field: "locales", "'\(id)' is not a language tag (e.g. fr, en, am)")
                    continue
                }
                requiredLocales.append(id)
                requiredLines[id] = item.mark?.line
            }
        }
    }

    /// A file's name without `.yaml`/`.yml`.
    static func stem(of path: String) -> String {
        (path as NSString).lastPathComponent.replacingOccurrences(of: #"\.ya?ml$"#, with: "", options: .regularExpression)
    }

    /// Adds an item read from `path` under its key, unless another file declared the key; warns when the file is
    /// not named after it.
    private static func register<Item>(
        _ item: Item, key: String, field: String, what: String, line: Int?, file: (Item) -> String, path: String,
        reader: YAMLReader, into table: inout [String: Item]
    ) {
        if let existing = table[key] {
            reader.error(line: line, field: field, "\(what) '\(key)' is also declared in \(file(existing))")
            return
        }
        let stem = stem(of: path)
        if stem != key {
            reader.warning(nil, field: field, "file is named '\(stem)' but declares '\(key)'; name it \(key).yaml")
        }
        table[key] = item
    }

    private mutating func readFolder(
        _ dir: String, what: String, required: Bool = true, extra: [(folder: String, name: String, text: String)] = []
    ) -> [(String, String)] {
        var files = readFolder(dir, what: what, required: required && extra.isEmpty)
        for file in extra {
            let path = (dir as NSString).appendingPathComponent(file.name)
            files.removeAll { $0.0 == path }
            files.append((path, file.text))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    private mutating func readFolder(_ dir: String, what: String, required: Bool) -> [(String, String)] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            diagnostics.append(
                required
                    ? Diagnostic(.error, file: dir, line: nil, "the \(what) folder does not exist")
                    : Diagnostic(.warning, file: dir, line: nil, "the \(what) folder does not exist: no event can be ingested"))
            return []
        }
        let names = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
        }.sorted()
        var out: [(String, String)] = []
        for name in names {
            let path = (dir as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: path) else {
                diagnostics.append(Diagnostic(.error, file: path, line: nil, "cannot read the file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                diagnostics.append(Diagnostic(.error, file: path, line: nil, "the file is not UTF-8 text"))
                continue
            }
            out.append((path, text))
        }
        return out
    }

    /// The locale files to look in for a message, nearest first: the requested locale, its parents
    /// (`am_ET` → `am`), each one's declared fallback, and finally the default locale.
    public func chain(for icuID: String) -> [LocaleFile] {
        var out: [LocaleFile] = []
        var seen = Set<String>()
        func visit(_ id: String) {
            var candidate = id.split(separator: "@").first.map(String.init) ?? id
            while true {
                if seen.insert(candidate).inserted, let file = locales[candidate] {
                    out.append(file)
                    if let fallback = file.fallback {
                        visit(ICU.localeID(forTag: fallback.replacingOccurrences(of: "_", with: "-")) ?? fallback)
                    }
                }
                guard let cut = candidate.lastIndex(of: "_") else { break }
                candidate = String(candidate[..<cut])
            }
        }
        visit(icuID)
        visit(defaultLocale)
        return out
    }

    /// The 1-based line in a locale file of a UTF-16 offset inside one of its messages.
    /// The line of a UTF-16 offset in a message, and the column where `snippet` (the text from that offset)
    /// starts on that line, when it is found there.
    func position(ofOffset offset: Int, snippet: String, template: String, locale: String) -> (line: Int?, column: Int?) {
        guard let line = line(ofOffset: offset, template: template, locale: locale) else { return (nil, nil) }
        guard let source = sources[locale], line - 1 < source.count, line >= 1,
            let range = source[line - 1].range(of: snippet)
        else { return (line, nil) }
        return (line, source[line - 1].distance(from: source[line - 1].startIndex, to: range.lowerBound) + 1)
    }

    func line(ofOffset offset: Int?, template: String, locale: String) -> Int? {
        let message = locales[locale]?.messages[template]
        guard let offset, let span = messageNodes[locale]?[template], let source = sources[locale] else {
            return message?.line
        }
        return YAMLReader.line(ofOffset: offset, in: span, source: source)
    }
}
