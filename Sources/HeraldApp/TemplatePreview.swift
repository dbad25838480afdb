import Foundation
import HeraldCore

/// What the console's template studio shows for one template: its parameters with the values used, and for each
/// locale the message text (the catalog's, or a draft being typed), the rendering, its encoding and segments, the
/// text cut into its parts, the characters that force UCS-2 with what Herald would write instead, the room left,
/// the worst case against the segment budget and the catalog check's diagnostics. Everything is computed here, by
/// the renderer and the catalog check, so the page, `herald render` and the API never disagree.
public struct TemplatePreview: Sendable, Encodable {
    public struct Field: Sendable, Encodable {
        public var name: String
        public var type: String
        /// The value rendered with: the one given, else an example.
        public var value: String
        public var example: Bool
        public var required: Bool
        public var description: String?
        public var currency: String?
        public var max: Double?
        public var maxLength: Int?
        public var values: [String]?
    }

    /// A stretch of text, flagged when it is a character that forces UCS-2.
    public struct Run: Sendable, Encodable, Equatable {
        public var text: String
        public var ucs2: Bool
    }

    public struct Part: Sendable, Encodable {
        public var index: Int
        public var text: String
        public var units: Int
    }

    /// A character of the rendering outside GSM-7, and what Herald writes instead (nil: it has no GSM-7 stand-in,
    /// so the message goes as UCS-2).
    public struct Flagged: Sendable, Encodable {
        public var character: String
        public var codePoint: String
        public var count: Int
        public var replacement: String?
    }

    public struct Rendering: Sendable, Encodable {
        /// The text sent.
        public var text: String
        public var encoding: SMSEncoding
        public var units: Int
        /// `septets` or `UTF-16 units`.
        public var unitName: String
        public var segments: Int
        /// Units left before the next segment.
        public var room: Int
        /// The text sent, cut where the phone receives it in parts (one part when it fits in one segment).
        public var parts: [Part]
        /// ICU's output before the locale's GSM-7 policy, cut around the characters outside GSM-7.
        public var raw: [Run]
        public var characters: [Flagged]
        /// What the raw text would cost without the policy's replacements.
        public var rawEncoding: SMSEncoding
        public var rawSegments: Int
        public var warnings: [String]
        public var expiresAt: String?
    }

    public struct Locale: Sendable, Encodable {
        public var locale: String
        /// The locale file whose message was used (differs when it fell back).
        public var messageLocale: String?
        public var timeZone: String
        /// The message text shown for editing: the draft when one was given, else the catalog's (nil when the
        /// locale has no message of its own for the template).
        public var source: String?
        public var draft: Bool
        public var file: String?
        public var rendered: Rendering?
        /// Why it could not be rendered.
        public var error: String?
        /// The catalog check's diagnostics for this template and locale. For a draft, `line` and `column` are
        /// those of the draft text; `file` names the locale file.
        public var diagnostics: [Diagnostic]
        public var worstCase: CatalogReport.Cost?
        /// The entry to paste into the locale file (for a draft).
        public var yaml: String?
        /// The whole locale file with the draft in place, as it was checked (what a write puts on disk).
        var checkedFile: String? = nil

        enum CodingKeys: String, CodingKey {
            case locale, messageLocale, timeZone, source, draft, file, rendered, error, diagnostics, worstCase, yaml
        }
    }

    public var template: String
    public var description: String?
    public var budget: Int
    public var parameters: [Field]
    public var locales: [Locale]

    /// Where the catalog lives, to check a draft as if it were in place.
    public struct Folders: Sendable {
        public var templates: String
        public var locales: String
        public var events: String?
        public init(templates: String, locales: String, events: String?) {
            self.templates = templates
            self.locales = locales
            self.events = events
        }
    }

    /// Previews `template` in `locales` (every locale of the catalog when empty) for a person in `timeZone` at
    /// `at` (epoch ms). `parameters` override the examples; `draft`, for one locale, replaces its message.
    /// Throws `RowProblem` naming the field at fault.
    public init(
        template id: String, locales requested: [String], timeZone: String, parameters given: [String: String],
        draft: String?, at: Int64, catalog: Catalog, report: @autoclosure () -> CatalogReport, folders: Folders
    ) throws {
        guard let template = catalog.templates[id] else { throw RowProblem(catalog.unknownTemplate(id), field: "template") }
        guard TimeZone(identifier: timeZone) != nil else {
            throw RowProblem("'\(timeZone)' is not an IANA time zone (e.g. Africa/Tunis)", field: "timeZone")
        }
        for name in given.keys where template.parameter(named: name) == nil {
            throw RowProblem("\(id) has no parameter \(name) (it has \(template.parameters.map(\.name).joined(separator: ", ")))", field: "params.\(name)")
        }
        let files = catalog.sortedLocales
        let wanted = requested.isEmpty ? files.map(\.id) : requested
        if draft != nil, wanted.count != 1 { throw RowProblem("a draft is for one locale: give `locale`", field: "text") }
        for locale in wanted where !files.contains(where: { $0.id == locale || $0.icuID == locale }) {
            throw RowProblem("no locale file for '\(locale)' (there are \(files.map(\.id).joined(separator: ", ")))", field: "locale")
        }
        let examples = ParameterExamples.values(for: template, timeZone: timeZone, at: at)
        var values = examples
        for (name, value) in given { values[name] = value }
        self.template = id
        description = template.description
        budget = template.segmentBudget
        parameters = template.parameters.map { p in
            Field(
                name: p.name, type: p.kind.rawValue, value: values[p.name] ?? "", example: given[p.name] == nil,
                required: p.isRequired, description: p.description, currency: p.currency, max: p.max,
                maxLength: p.maxLength, values: p.values)
        }
        // The served catalog's check, needed only without a draft (a draft is checked with it in place).
        let served = draft == nil ? report() : nil
        locales = wanted.map { locale in
            let file = files.first { $0.id == locale || $0.icuID == locale }!
            return Self.preview(
                template: template, file: file, timeZone: timeZone, values: values, draft: draft, at: at,
                catalog: catalog, report: served, folders: folders)
        }
    }

    static func preview(
        template: Template, file: LocaleFile, timeZone: String, values: [String: String], draft: String?, at: Int64,
        catalog: Catalog, report: CatalogReport?, folders: Folders
    ) -> Locale {
        var catalog = catalog
        var report = report ?? CatalogReport.empty
        var localeDraft: LocaleDraft?
        if let draft {
            let source = (try? String(contentsOfFile: file.file, encoding: .utf8)) ?? "locale: \(file.id)\n"
            let made = LocaleDraft(source: source, template: template.id, text: draft)
            localeDraft = made
            catalog = Catalog.load(
                templates: folders.templates, locales: folders.locales, events: folders.events,
                extra: [(folder: "locales", name: (file.file as NSString).lastPathComponent, text: made.file)])
            report = catalog.check(only: template.id)
        }
        let field = "messages.\(template.id)"
        var diagnostics = report.diagnostics.filter {
            ($0.file == file.file && ($0.field == field || $0.field?.hasPrefix(field + ".") == true))
                || ($0.file == template.file)
        }
        if let localeDraft {
            diagnostics = diagnostics.map { d in
                guard d.file == file.file else { return d }
                // About the draft as a whole (its key line) when not at a place in its text.
                let at = localeDraft.draftPosition(line: d.line, column: d.column)
                var moved = d
                moved.line = at?.line
                moved.column = at?.column
                return moved
            }
        }
        var out = Locale(
            locale: file.id, messageLocale: nil, timeZone: timeZone,
            source: draft ?? file.messages[template.id]?.text, draft: draft != nil, file: file.file, rendered: nil,
            error: nil, diagnostics: diagnostics,
            worstCase: report.costs.first { $0.template == template.id && $0.locale == file.id },
            yaml: localeDraft?.entry, checkedFile: localeDraft?.file)
        do {
            let rendered = try Renderer(catalog: catalog).render(
                RenderRequest(template: template.id, locale: file.id, timeZone: timeZone, parameters: values, at: Double(at)))
            out.messageLocale = rendered.messageLocale
            let policy = catalog.sortedLocales.first { $0.id == rendered.messageLocale }?.gsm ?? file.gsm
            out.rendered = Self.rendering(rendered, policy: policy)
        } catch {
            out.error = error.message
        }
        return out
    }

    static func rendering(_ r: RenderedMessage, policy: GSMPolicy) -> Rendering {
        let texts = r.segments > 1 ? r.parts : [r.text]
        let parts = texts.enumerated().map { index, text in
            Part(index: index + 1, text: text, units: SMS.count(text).units)
        }
        // The raw text in runs: characters outside GSM-7 alone, the rest together.
        var runs: [Run] = []
        var counts: [Unicode.Scalar: Int] = [:]
        var order: [Unicode.Scalar] = []
        for character in r.rawText {
            let outside = character.unicodeScalars.contains { GSM7.septets($0.value) == 0 }
            if outside {
                for scalar in character.unicodeScalars where GSM7.septets(scalar.value) == 0 {
                    if counts[scalar] == nil { order.append(scalar) }
                    counts[scalar, default: 0] += 1
                }
                runs.append(Run(text: String(character), ucs2: true))
            } else if let last = runs.last, !last.ucs2 {
                runs[runs.count - 1].text.append(character)
            } else {
                runs.append(Run(text: String(character), ucs2: false))
            }
        }
        let characters = order.map { scalar in
            Flagged(
                character: String(scalar), codePoint: scalar.codePoint, count: counts[scalar] ?? 0,
                replacement: GSMKeeper.replacement(for: scalar, policy: policy))
        }
        return Rendering(
            text: r.text, encoding: r.encoding, units: r.units, unitName: r.encoding == .gsm7 ? "septets" : "UTF-16 units",
            segments: r.segments, room: r.room, parts: parts, raw: runs, characters: characters,
            rawEncoding: r.rawCount.encoding, rawSegments: r.rawCount.segments, warnings: r.warnings, expiresAt: r.expiresAt)
    }
}

/// A draft written as a template's message into its locale file: checked first with the draft in place (any error
/// for that template and locale refuses it, naming the draft's line and column), then written whole, atomically.
public struct MessageWrite: Sendable, Encodable {
    public var template: String
    public var locale: String
    public var file: String
    /// The entry as written.
    public var yaml: String
    /// Warnings the check found (errors refuse the write).
    public var warnings: [Diagnostic]
    public var note = "the running server keeps the catalog it started with: restart herald serve to send the new text"

    public init(
        template id: String, locale: String, text: String, catalog: Catalog, at: Int64, folders: TemplatePreview.Folders
    ) throws {
        guard catalog.templates[id] != nil else { throw RowProblem(catalog.unknownTemplate(id), field: "template") }
        guard let file = catalog.sortedLocales.first(where: { $0.id == locale || $0.icuID == locale }) else {
            throw RowProblem("no locale file for '\(locale)'", field: "locale")
        }
        let preview = try TemplatePreview(
            template: id, locales: [file.id], timeZone: "UTC", parameters: [:], draft: text, at: at, catalog: catalog,
            report: CatalogReport.empty, folders: folders)
        let checked = preview.locales[0]
        if let error = checked.diagnostics.first(where: { $0.severity == .error }) {
            let place = [error.line.map { "line \($0)" }, error.column.map { "column \($0)" }].compactMap { $0 }.joined(separator: ", ")
            throw RowProblem("not written: \(place.isEmpty ? "" : place + ": ")\(error.message)", field: "text")
        }
        // The file exactly as it was checked, not read a second time.
        guard let content = checked.checkedFile, let entry = checked.yaml else {
            throw RowProblem("not written: the draft was not checked", field: "text")
        }
        do {
            try content.write(toFile: file.file, atomically: true, encoding: .utf8)
        } catch {
            throw RowProblem("cannot write \(file.file): \(error.localizedDescription)", field: "text")
        }
        template = id
        self.locale = file.id
        self.file = file.file
        yaml = entry
        warnings = checked.diagnostics
    }
}

extension CatalogReport {
    /// No diagnostics, no costs.
    static var empty: CatalogReport { CatalogReport(templates: 0, locales: [], diagnostics: [], costs: []) }
}
