import Foundation
import HeraldCore

/// One template, locale or event type file checked against the deployed catalog, as `herald check` would with the
/// file in place. Nothing is written. What `POST /v1/templates:check` answers, and what the console shows as a
/// draft is typed.
public struct CatalogFileCheck: Sendable, Encodable {
    public var file: String
    /// `template`, `locale` or `event`.
    public var kind: String
    public var valid: Bool
    public var errors: Int
    public var warnings: Int
    /// Problems in the file checked.
    public var diagnostics: [Diagnostic]
    /// Problems elsewhere in the catalog that the file causes or leaves.
    public var catalogDiagnostics: [Diagnostic]
    public var costs: [CatalogReport.Cost]

    /// Checks `content` as the file `name` (read from the content when nil: its `id`, `locale` or `type`) of
    /// `kind` (guessed when nil) in the catalog at these folders. A `RowProblem` names the field at fault.
    public init(content: String, kind: String?, name: String?, templates: String, locales: String, events: String?) throws {
        func has(_ pattern: String) -> Bool { content.range(of: pattern, options: .regularExpression) != nil }
        let kind = kind ?? (has(#"(?m)^locale\s*:"#) ? "locale" : has(#"(?m)^type\s*:"#) && !has(#"(?m)^id\s*:"#) ? "event" : "template")
        let folders = ["template": "templates", "locale": "locales", "event": "events"]
        guard let folder = folders[kind] else { throw RowProblem("'\(kind)' is not template, locale or event", field: "kind") }
        var name = name
        if name == nil {
            let key = kind == "locale" ? "locale" : kind == "event" ? "type" : "id"
            if let match = content.range(of: "(?m)^\(key)\\s*:\\s*([^#\\n]+)", options: .regularExpression) {
                name = String(content[match]).split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) + ".yaml"
            }
        }
        guard let fileName = name, !fileName.contains("/"), fileName.hasSuffix(".yaml") || fileName.hasSuffix(".yml") else {
            throw RowProblem("give the file's name, e.g. invoice.created.yaml (no folders)", field: "name")
        }
        let report = Catalog.load(
            templates: templates, locales: locales, events: events, extra: [(folder: folder, name: fileName, text: content)]
        ).check()
        let dir = folder == "templates" ? templates : folder == "locales" ? locales : (events ?? "Events")
        let path = (dir as NSString).appendingPathComponent(fileName)
        let templateID = kind == "template" ? String(fileName.split(separator: ".").dropLast().joined(separator: ".")) : nil
        let errors = report.diagnostics.filter { $0.severity == .error }.count
        file = fileName
        self.kind = kind
        valid = errors == 0
        self.errors = errors
        warnings = report.diagnostics.count - errors
        diagnostics = report.diagnostics.filter { $0.file == path }
        catalogDiagnostics = report.diagnostics.filter { $0.file != path }
        costs = report.costs.filter { templateID == nil || $0.template == templateID }
    }
}
