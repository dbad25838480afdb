import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore
import NIOPosix

/// Rendering, the templates, and checking a catalog file before it is deployed.
struct TemplatesController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.post, "/v1/render", roles: [.backend, .author], render)
        t.add(.get, "/v1/templates", roles: [.author, .backend, .staff], templates)
        t.add(.get, "/v1/templates/{id}", roles: [.author, .backend, .staff], template)
        t.add(.post, "/v1/templates:check", roles: [.author], checkFile)
        t.add(.post, "/v1/templates/{id}/preview", roles: [.author, .staff], preview)
        t.add(.put, "/v1/templates/{id}/messages/{locale}", roles: [.author], writeMessage)
    }

    /// Writes a draft as the template's message in a locale file, once the catalog check finds no error in it with
    /// the draft in place; only when the server was started with `--studio-writes`. The running server keeps the
    /// catalog it started with: a restart serves the new text.
    func writeMessage(_ request: Request, _ context: HeraldContext) async throws -> Response {
        guard state.settings.studioWrites else {
            throw Problem(
                .forbidden, "forbidden",
                "this server does not write locale files; start herald serve with --studio-writes (or HERALD_STUDIO_WRITES=1) to let the studio write them")
        }
        let id = try context.parameters.require("id")
        let locale = try context.parameters.require("locale")
        let f = try Fields(try await request.json(limit: limit), allowed: ["text"])
        let text = try f.string("text", required: true)!
        let s = state.settings
        let (catalog, state) = (catalog, state)
        do {
            let written = try await NIOThreadPool.singleton.runIfActive {
                try MessageWrite(
                    template: id, locale: locale, text: text, catalog: catalog, at: state.clock(),
                    folders: .init(templates: s.templatesPath, locales: s.localesPath, events: s.eventsPath))
            }
            context.logger.notice("studio: \(describe(context.identity!)) wrote \(id) in \(written.file)")
            return try jsonResponse(written)
        } catch let problem as RowProblem {
            if problem.field == "template" || problem.field == "locale" { throw Problem.notFound(problem.text) }
            throw Problem.field(problem.field ?? "text", problem.text)
        }
    }

    /// The studio's view of one template: its parameters (examples where none is given) and, for each locale asked
    /// (every one when none), the rendering, its cost, its parts, what forces UCS-2, the worst case and the catalog
    /// check's diagnostics; with `text`, for one locale, a draft of its message checked as if pasted in.
    func preview(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let f = try Fields(
            try await request.json(limit: limit), allowed: ["locale", "locales", "timeZone", "params", "text", "at"])
        var locales = try f.strings("locales") ?? []
        if let one = try f.string("locale") { locales = [one] }
        let timeZone = try f.string("timeZone") ?? state.settings.policy.defaultTimeZone
        var at = state.clock()
        if let text = try f.string("at") {
            guard let ms = ParameterValue.epochMilliseconds(text, timeZone: timeZone) else {
                throw Problem.field("at", "'\(text)' is not an ISO 8601 date-time")
            }
            at = Int64(ms)
        }
        let s = state.settings
        let (parameters, draft, catalog, state, wanted, instant) = (try f.parameters("params"), try f.string("text"), catalog, state, locales, at)
        do {
            // Loading and checking a catalog with the draft in place is CPU work of tens of milliseconds: it runs on
            // the thread pool, not on the threads that serve requests.
            let preview = try await NIOThreadPool.singleton.runIfActive {
                try TemplatePreview(
                    template: id, locales: wanted, timeZone: timeZone, parameters: parameters, draft: draft, at: instant,
                    catalog: catalog, report: state.report,
                    folders: .init(templates: s.templatesPath, locales: s.localesPath, events: s.eventsPath))
            }
            return try jsonResponse(preview)
        } catch let problem as RowProblem {
            if problem.field == "template" { throw Problem.notFound(problem.text) }
            throw Problem.field(problem.field ?? "text", problem.text)
        }
    }

    func render(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(try await request.json(limit: limit), allowed: ["template", "locale", "timeZone", "params", "at"])
        let template = try f.string("template", required: true)!
        let locale = try f.string("locale") ?? state.settings.policy.defaultLanguage
        let timeZone = try f.string("timeZone") ?? state.settings.policy.defaultTimeZone
        var at: Double?
        if let text = try f.string("at") {
            guard let ms = ParameterValue.epochMilliseconds(text, timeZone: timeZone) else {
                throw Problem.field("at", "'\(text)' is not an ISO 8601 date-time")
            }
            at = ms
        }
        do {
            let rendered = try state.renderer.render(
                RenderRequest(template: template, locale: locale, timeZone: timeZone, parameters: try f.parameters("params"), at: at))
            return try jsonResponse(rendered)
        } catch let error as RenderError {
            throw Problem.render(error)
        }
    }

    struct TemplateView: Encodable {
        var template: Template
        /// Locales with their own message for it.
        var locales: [String]
        var messages: [String: String]?
    }

    func view(_ template: Template, messages: Bool) -> TemplateView {
        var texts: [String: String] = [:]
        for file in catalog.sortedLocales {
            if let m = file.messages[template.id] { texts[file.id] = m.text }
        }
        return TemplateView(template: template, locales: texts.keys.sorted(), messages: messages ? texts : nil)
    }

    func templates(_ request: Request, _ context: HeraldContext) async throws -> Response {
        try jsonResponse(["templates": catalog.sortedTemplates.map { view($0, messages: false) }])
    }

    func template(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let template = catalog.templates[id] else {
            throw Problem.notFound(catalog.unknownTemplate(id))
        }
        return try jsonResponse(view(template, messages: true))
    }

    /// Checks one template, locale or event type file against the deployed catalog, as `herald check` would with
    /// the file in place. Nothing is written.
    func checkFile(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(try await request.json(limit: limit), allowed: ["kind", "name", "content"])
        let s = state.settings
        do {
            return try jsonResponse(try CatalogFileCheck(
                content: try f.string("content", required: true)!, kind: try f.string("kind"), name: try f.string("name"),
                templates: s.templatesPath, locales: s.localesPath, events: s.eventsPath))
        } catch let problem as RowProblem {
            throw Problem.field(problem.field ?? "content", problem.text)
        }
    }
}
