import Foundation
import HeraldICU

/// The outcome of checking a whole catalog: every diagnostic, and the worst-case cost of each
/// (template, locale) pair against the template's segment budget.
public struct CatalogReport: Sendable, Codable {
    public struct Cost: Sendable, Codable {
        public var template: String
        public var locale: String
        /// The locale whose message is used (differs when it falls back).
        public var messageLocale: String
        public var encoding: SMSEncoding
        public var units: Int
        public var segments: Int
        /// Segments if a parameter value brings a character outside GSM-7 (UCS-2).
        public var segmentsIfUCS2: Int
        public var budget: Int
        /// The worst-case text the figures come from.
        public var text: String
    }

    public var templates: Int
    public var locales: [String]
    public var diagnostics: [Diagnostic]
    public var costs: [Cost]

    public init(templates: Int, locales: [String], diagnostics: [Diagnostic], costs: [Cost]) {
        self.templates = templates
        self.locales = locales
        self.diagnostics = diagnostics
        self.costs = costs
    }

    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

extension Catalog {
    /// Validates message syntax, parameters used against declared, missing translations, fallbacks and
    /// worst-case segment counts. Errors fail `herald check`; warnings do not. `only` limits the worst cases (the
    /// costly part: many renderings per template and locale) to one template, as the studio's preview needs.
    public func check(only: String? = nil) -> CatalogReport {
        var diagnostics = self.diagnostics + checkRules()
        let renderer = Renderer(catalog: self)
        var costs: [CatalogReport.Cost] = []
        for file in sortedLocales {
            if let fallback = file.fallback,
                locales[ICU.localeID(forTag: fallback.replacingOccurrences(of: "_", with: "-")) ?? fallback] == nil
            {
                diagnostics.append(
                    Diagnostic(.error, file: file.file, line: nil, field: "fallback", "no locale file for '\(fallback)'"))
            }
            for (templateID, message) in file.messages.sorted(by: { $0.key < $1.key }) {
                let field = "messages.\(templateID)"
                guard let template = templates[templateID] else {
                    if refusedTemplates[templateID] != nil { continue }
                    let hint = YAMLReader.closest(templateID, in: Array(templates.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                    diagnostics.append(
                        Diagnostic(.error, file: file.file, line: message.line, field: field,
                                   "no template '\(templateID)' in Templates/\(hint)"))
                    continue
                }
                let compiled: CompiledMessage
                do {
                    compiled = try CompiledMessage(
                        pattern: message.text, locale: file.formattingLocale(for: nil), timeZone: "UTC",
                        arguments: template.parameters.map { ($0.name, ParameterValue.kind(of: $0)) },
                        currencySymbols: file.currencySymbols)
                } catch {
                    var text = error.message
                    if error.code == .unknownArgument {
                        text += " (declared: \(template.parameters.map(\.name).joined(separator: ", ")))"
                    }
                    // The line and column where ICU stopped (the column found from the text that follows it).
                    var at: (line: Int?, column: Int?) = (line(ofOffset: error.offset, template: templateID, locale: file.icuID), nil)
                    if let offset = error.offset, offset >= 0, offset < message.text.utf16.count,
                        let rest = String(message.text.utf16.dropFirst(offset))
                    {
                        let snippet = String(rest.prefix { $0 != "\n" }.prefix(12))
                        if !snippet.isEmpty {
                            let found = position(ofOffset: offset, snippet: snippet, template: templateID, locale: file.icuID)
                            if found.line != nil { at = found }
                        }
                    }
                    diagnostics.append(
                        Diagnostic(.error, file: file.file, line: at.line ?? message.line, column: at.column, field: field, text))
                    continue
                }
                // A line break nobody wrote on purpose: in a folded (`>`) or plain message, YAML keeps one where a
                // line is indented more than the others, and the SMS shows it.
                if let span = messageNodes[file.icuID]?[templateID], !span.literal,
                    let breakAt = message.text.utf16.firstIndex(of: 10)
                {
                    let offset = message.text.utf16.distance(from: message.text.utf16.startIndex, to: breakAt)
                    diagnostics.append(
                        Diagnostic(.warning, file: file.file, line: line(ofOffset: offset + 1, template: templateID, locale: file.icuID),
                                   field: field,
                                   "the message has a line break here, which the SMS shows: in a folded (>) message YAML keeps one where a line is indented more than the others; align the lines, or use | if the break is meant"))
                }
                for quote in Apostrophes.swallowed(in: message.text) {
                    let (line, column) = position(
                        ofOffset: quote.offset, snippet: String(quote.snippet.prefix(12)), template: templateID, locale: file.icuID)
                    let shown = quote.quoted.count > 40 ? String(quote.quoted.prefix(40)) + "…" : quote.quoted
                    diagnostics.append(
                        Diagnostic(.error, file: file.file, line: line ?? message.line, column: column, field: field,
                                   "this apostrophe makes ICU print \(quote.unclosed ? "the rest of the message" : "what follows, up to the next apostrophe,") as text: '\(shown)'. For an apostrophe write ’ (U+2019; Herald sends it as ' in GSM-7 at no cost) or ''"))
                }
                for (index, parameter) in template.parameters.enumerated() where !compiled.uses(argumentAt: index) {
                    diagnostics.append(
                        Diagnostic(.warning, file: file.file, line: message.line, field: field,
                                   "parameter '\(parameter.name)' is declared by \(template.file) but not used"))
                }
                for parameter in template.parameters where parameter.kind == .enum {
                    guard let keys = compiled.selectKeys(of: parameter.name) else { continue }
                    for key in keys where key != "other" && !(parameter.values ?? []).contains(key) {
                        diagnostics.append(
                            Diagnostic(.warning, file: file.file, line: message.line, field: field,
                                       "select variant '\(key)' is not a value of '\(parameter.name)'"))
                    }
                }
                diagnostics += currencyProblems(in: message.text, template: template, file: file, templateID: templateID)
            }
        }
        for template in sortedTemplates where only == nil || template.id == only {
            for file in sortedLocales {
                let chain = self.chain(for: file.icuID)
                guard let source = chain.first(where: { $0.messages[template.id] != nil }) else {
                    diagnostics.append(
                        Diagnostic(.error, file: file.file, line: nil, field: "messages.\(template.id)",
                                   "no message for '\(template.id)' here nor in its fallbacks"))
                    continue
                }
                if source.icuID != file.icuID {
                    // A locale the catalog declares it serves must have every message; others may fall back.
                    let required = requiredLocales.contains(file.id)
                    diagnostics.append(
                        Diagnostic(required ? .error : .warning, file: file.file, line: nil, field: "messages.\(template.id)",
                                   "missing; \(file.id) recipients get the \(source.id) message" + (required
                                       ? " (the catalog serves \(file.id): \(requiredFile.map { ($0 as NSString).lastPathComponent } ?? "catalog.yaml"))"
                                       : "")))
                }
                if let cost = worstCase(template: template, locale: file, renderer: renderer) {
                    costs.append(cost)
                    if cost.segments > template.segmentBudget {
                        diagnostics.append(
                            Diagnostic(.error, file: source.file, line: source.messages[template.id]?.line,
                                       field: "messages.\(template.id)",
                                       "worst case is \(cost.segments) segments (\(cost.units) \(cost.encoding == .gsm7 ? "septets" : "UTF-16 units")), over the template's budget of \(template.segmentBudget)"))
                    }
                }
            }
        }
        diagnostics.sort {
            ($0.file, $0.line ?? 0, $0.severity) < ($1.file, $1.line ?? 0, $1.severity)
        }
        return CatalogReport(
            templates: templates.count, locales: sortedLocales.map(\.id), diagnostics: diagnostics, costs: costs)
    }

    /// Currencies in number skeletons: known ISO 4217 codes in capitals, the money parameter's own; and every
    /// money parameter formatted as money.
    func currencyProblems(in text: String, template: Template, file: LocaleFile, templateID: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let field = "messages.\(templateID)"
        let money = template.parameters.filter { $0.kind == .money }
        for match in text.matches(of: #/currency/([A-Za-z]+)/#) {
            let code = String(match.1)
            let offset = text.utf16.distance(from: text.startIndex, to: match.range.lowerBound)
            let (line, column) = position(ofOffset: offset, snippet: String(match.0), template: templateID, locale: file.icuID)
            let declared = money.compactMap(\.currency)
            var problem: String?
            if code != code.uppercased(), ICU.isCurrency(code.uppercased()) {
                problem = "'\(code)' in lower case is read as another currency by ICU: write ::currency/\(code.uppercased())"
            } else if !ICU.isCurrency(code) {
                let meant = declared.first.map { " (did you mean \($0)? the template's money is \($0))" } ?? ""
                problem = "'\(code)' is not an ISO 4217 currency code\(meant)"
            } else if !declared.isEmpty, !declared.contains(code) {
                problem = "the template's money is in \(declared.joined(separator: ", ")), not \(code)"
            }
            if let problem {
                out.append(Diagnostic(.error, file: file.file, line: line ?? file.messages[templateID]?.line, column: column,
                                      field: field, problem))
            }
        }
        for parameter in money {
            let code = parameter.currency ?? "XXX"
            // Every place it is printed: `{total}` or `{total, …}` up to its closing brace.
            let places = text.ranges(of: "{\(parameter.name)").filter { range in
                text[range.upperBound...].first.map { $0 == "}" || $0 == "," || $0 == " " } ?? false
            }
            // (A wrong code in the skeleton is its own error above.)
            let unformatted = places.contains { range in
                !text[range.lowerBound...].prefix(while: { $0 != "}" }).contains("currency/")
            }
            if unformatted {
                out.append(Diagnostic(
                    .error, file: file.file, line: file.messages[templateID]?.line, field: field,
                    "'\(parameter.name)' is money in \(code) but is not formatted as money: write {\(parameter.name), number, ::currency/\(code)} (the locale file's currencySymbols give DT)"))
            }
        }
        return out
    }

    private func parameter(ofKind kind: Parameter.Kind, in template: Template) -> Parameter? {
        template.parameters.first { $0.kind == kind }
    }

    /// The longest rendering over each parameter's candidate values, found one parameter at a time.
    func worstCase(template: Template, locale: LocaleFile, renderer: Renderer) -> CatalogReport.Cost? {
        let candidates = template.parameters.map { Self.candidates(for: $0) }
        var choice = candidates.map { $0[0] }
        func render(_ values: [String]) -> RenderedMessage? {
            let params = Dictionary(uniqueKeysWithValues: zip(template.parameters.map(\.name), values))
            return try? renderer.render(
                RenderRequest(template: template.id, locale: locale.id, timeZone: "Africa/Addis_Ababa", parameters: params))
        }
        guard var best = render(choice) else { return nil }
        for _ in 0..<2 {
            for (index, options) in candidates.enumerated() where options.count > 1 {
                for option in options {
                    var trial = choice
                    trial[index] = option
                    if let rendered = render(trial), rendered.units > best.units {
                        best = rendered
                        choice = trial
                    }
                }
            }
        }
        let ucs2 = SMS.countAsUCS2(best.text)
        return CatalogReport.Cost(
            template: template.id, locale: locale.id, messageLocale: best.messageLocale, encoding: best.encoding,
            units: best.units, segments: best.segments, segmentsIfUCS2: max(best.segments, ucs2.segments),
            budget: template.segmentBudget, text: best.text)
    }

    static func candidates(for parameter: Parameter) -> [String] {
        switch parameter.kind {
        case .string:
            return [String(repeating: "x", count: parameter.maxLength ?? 1)]
        case .enum:
            return parameter.values ?? [""]
        case .integer:
            let max = Int64(parameter.max ?? 999_999)
            return ["1", "0", "2", "21", String(max)]
        case .decimal, .money:
            let max = parameter.max ?? 999_999.999
            return [String(format: "%.3f", max), "0", "1"]
        case .datetime:
            // A day in every month, on different weekdays, morning and evening: the longest names win.
            return (1...12).flatMap { month in
                ["10:30", "22:30"].map { String(format: "2026-%02d-%02dT", month, 20 + month % 7) + $0 }
            }
        }
    }
}
