import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore

/// The handlers of every route.
struct Routes: Sendable {
    let state: ServerState

    var store: any Storage { state.store }
    var catalog: Catalog { state.catalog }
    var limit: Int { state.settings.maxBody }

    func register(_ t: inout RouteTable) {
        t.add(.get, "/health", roles: [], isPublic: true, health)
        t.add(.get, "/metrics", roles: [.staff], metrics)
        t.add(.get, "/openapi.yaml", roles: [], isPublic: true, openAPI)
        t.add(.post, "/v1/events", roles: [.backend], postEvent)
        t.add(.post, "/v1/events:batch", roles: [.backend], postEvents)
        t.add(.get, "/v1/events/{id}", roles: [.backend, .staff], getEvent)
        t.add(.post, "/v1/render", roles: [.backend, .author], render)
        t.add(.get, "/v1/templates", roles: [.author, .backend], templates)
        t.add(.get, "/v1/templates/{id}", roles: [.author, .backend], template)
        t.add(.post, "/v1/templates:check", roles: [.author], checkFile)
        t.add(.get, "/v1/contacts/{id}/preferences", roles: [.backend, .staff], customer: true, getPreferences)
        t.add(.put, "/v1/contacts/{id}/preferences", roles: [.backend, .staff], customer: true, putPreferences)
        t.add(.post, "/v1/contacts/{id}/tokens", roles: [.backend], issueToken)
        t.add(.post, "/v1/inbound", roles: [.backend, .provider], inbound)
        t.add(.post, "/v1/delivery-reports", roles: [.backend, .provider], deliveryReports)
        t.add(.get, "/v1/messages", roles: [.staff], messages)
        t.add(.get, "/v1/messages/{id}", roles: [.staff, .backend], message)
        t.add(.post, "/v1/messages/{id}:resend", roles: [.staff], resend)
        t.add(.post, "/v1/campaigns", roles: [.backend], startCampaign)
        t.add(.get, "/v1/campaigns/{id}", roles: [.backend, .staff], campaign)
        t.add(.get, "/v1/stats", roles: [.staff], stats)
    }

    // MARK: health, metrics, description

    func health(_ request: Request, _ context: HeraldContext) async throws -> Response {
        struct Health: Encodable {
            var status: String
            var database: String
            var worker: Bool
            var queue: Int?
            var version = "0.1.0"
        }
        do {
            let queue = try await store.pending(now: state.clock(), futureRetries: false)
            return try jsonResponse(Health(status: "ok", database: "ok", worker: state.settings.worker != nil, queue: queue))
        } catch {
            return try jsonResponse(
                Health(status: "unavailable", database: "\(error)", worker: state.settings.worker != nil, queue: nil),
                status: .serviceUnavailable)
        }
    }

    func metrics(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let text = try await state.metrics.text(store: store, now: state.clock())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func openAPI(_ request: Request, _ context: HeraldContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }

    // MARK: events

    /// What an event led to, for the backend to tell its user ("SMS sent to the assignee").
    struct EventAnswer: Encodable {
        var event: String
        var type: String
        var duplicate: Bool
        /// One line: who is told, who is not and why.
        var summary: String
        var decisions: [Decision]
    }

    static func answer(_ r: IngestResult, explain: Bool) -> EventAnswer {
        let decisions = r.decisions.map { d -> Decision in
            var d = d
            d.contact = maskedContact(d.contact)
            if !explain { d.trace = [] }
            return d
        }
        let parts = decisions.map { d -> String in
            switch d.action {
            case .send: "SMS to the \(d.audience) (\(d.contact), \(d.locale ?? "?"))"
            case .defer: "SMS to the \(d.audience) (\(d.contact)) at \(d.dueAt ?? "?")"
            case .suppress: "no SMS to the \(d.audience) (\(d.contact)): \(d.reason?.rawValue ?? "?")"
            }
        }
        return EventAnswer(
            event: r.event, type: r.type, duplicate: r.duplicate,
            summary: parts.isEmpty ? "no one to tell" : parts.joined(separator: "; "), decisions: decisions)
    }

    func postEvent(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let event: Event
        do { event = try Event.parse(body, catalog: catalog) } catch {
            state.metrics.event("refused")
            throw Problem.event(error)
        }
        let results = try await state.ingest.ingest([event])
        switch results[0] {
        case .success(let r):
            state.metrics.event(r.duplicate ? "duplicate" : "stored")
            return try jsonResponse(Self.answer(r, explain: request.query("explain") == "true"), status: r.duplicate ? .ok : .created)
        case .failure(let error):
            state.metrics.event("refused")
            throw Problem.event(error)
        }
    }

    func postEvents(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let list: [JSONValue]
        switch body {
        case .array(let items): list = items
        case .object:
            let fields = try Fields(body, allowed: ["events"])
            list = try fields.array("events", required: true)!
        default: throw Problem.field("(body)", "expected a list of events or {\"events\": [...]}", code: "invalid-body", status: .badRequest)
        }
        guard (1...1000).contains(list.count) else {
            throw Problem.field("events", "\(list.count) events; send 1 to 1000 per batch", code: "batch-size")
        }
        struct Item: Encodable {
            var index: Int
            var status: String
            var event: String?
            var result: EventAnswer?
            var problem: Problem?
        }
        var items: [Item] = []
        var events: [Event] = []
        var positions: [Int] = []
        for (index, value) in list.enumerated() {
            do {
                events.append(try Event.parse(value, catalog: catalog))
                positions.append(index)
                items.append(Item(index: index, status: "pending"))
            } catch {
                items.append(Item(index: index, status: "refused", event: error.eventID, problem: Problem.event(error, prefix: "events[\(index)].")))
            }
        }
        let results = events.isEmpty ? [] : try await state.ingest.ingest(events)
        for (position, result) in zip(positions, results) {
            switch result {
            case .success(let r):
                items[position] = Item(index: position, status: r.duplicate ? "duplicate" : "stored", event: r.event, result: Self.answer(r, explain: false))
            case .failure(let error):
                items[position] = Item(index: position, status: "refused", event: error.eventID, problem: Problem.event(error, prefix: "events[\(position)]."))
            }
        }
        struct Answer: Encodable {
            var stored: Int
            var duplicates: Int
            var refused: Int
            var items: [Item]
        }
        let count = { (s: String) in items.filter { $0.status == s }.count }
        for item in items { state.metrics.event(item.status) }
        return try jsonResponse(Answer(stored: count("stored"), duplicates: count("duplicate"), refused: count("refused"), items: items))
    }

    func getEvent(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard var x = try await store.explain(event: id) else { throw Problem.notFound("no event '\(id)'") }
        for i in x.decisions.indices { x.decisions[i].contact = maskedContact(x.decisions[i].contact) }
        for i in x.messages.indices { x.messages[i].mask() }
        x.payload = .null
        return try jsonResponse(x)
    }

    // MARK: rendering and templates

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
            let hint = Catalog.closest(id, in: Array(catalog.templates.keys)).map { "; did you mean \($0)?" } ?? ""
            throw Problem.notFound("no template '\(id)'\(hint)")
        }
        return try jsonResponse(view(template, messages: true))
    }

    /// Checks one template, locale or event type file against the deployed catalog, as `herald check` would with
    /// the file in place. Nothing is written.
    func checkFile(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(try await request.json(limit: limit), allowed: ["kind", "name", "content"])
        let content = try f.string("content", required: true)!
        var kind = try f.string("kind")
        if kind == nil {
            kind = content.range(of: #"(?m)^locale\s*:"#, options: .regularExpression) != nil ? "locale"
                : content.range(of: #"(?m)^type\s*:"#, options: .regularExpression) != nil && content.range(of: #"(?m)^id\s*:"#, options: .regularExpression) == nil ? "event"
                : "template"
        }
        let folders = ["template": "templates", "locale": "locales", "event": "events"]
        guard let kindValue = kind, let folder = folders[kindValue] else {
            throw Problem.field("kind", "'\(kind ?? "")' is not template, locale or event")
        }
        var name = try f.string("name")
        if name == nil {
            let key = kindValue == "locale" ? "locale" : kindValue == "event" ? "type" : "id"
            if let match = content.range(of: "(?m)^\(key)\\s*:\\s*([^#\\n]+)", options: .regularExpression) {
                name = String(content[match]).split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) + ".yaml"
            }
        }
        guard let fileName = name, !fileName.contains("/"), fileName.hasSuffix(".yaml") || fileName.hasSuffix(".yml") else {
            throw Problem.field("name", "give the file's name, e.g. invoice.created.yaml (no folders)")
        }
        let s = state.settings
        let checked = Catalog.load(
            templates: s.templatesPath, locales: s.localesPath, events: s.eventsPath,
            extra: [(folder: folder, name: fileName, text: content)])
        let report = checked.check()
        let dir = folder == "templates" ? s.templatesPath : folder == "locales" ? s.localesPath : (s.eventsPath ?? "Events")
        let path = (dir as NSString).appendingPathComponent(fileName)
        struct Answer: Encodable {
            var file: String
            var kind: String
            var valid: Bool
            var errors: Int
            var warnings: Int
            /// Problems in the file sent.
            var diagnostics: [Diagnostic]
            /// Problems elsewhere in the catalog that the file causes or leaves.
            var catalogDiagnostics: [Diagnostic]
            var costs: [CatalogReport.Cost]
        }
        let own = report.diagnostics.filter { $0.file == path }
        let others = report.diagnostics.filter { $0.file != path }
        let templateID = kindValue == "template" ? String(fileName.split(separator: ".").dropLast().joined(separator: ".")) : nil
        let costs = report.costs.filter { templateID == nil || $0.template == templateID }
        let errors = report.diagnostics.filter { $0.severity == .error }.count
        return try jsonResponse(Answer(
            file: fileName, kind: kindValue, valid: errors == 0, errors: errors,
            warnings: report.diagnostics.count - errors, diagnostics: own, catalogDiagnostics: others, costs: costs))
    }

    // MARK: contacts

    struct PreferencesView: Encodable {
        var contact: String
        var language: String?
        /// `contact` (the person's choice), `event` (learnt from an event) or `default` (the deployment's).
        var languageSource: String
        var timeZone: String?
        var timeZoneSource: String
        var quietHours: String?
        var quietHoursSource: String
        var optedOutAll: Bool
        var optedOutCategories: [String]
        /// The categories one may opt out of.
        var categories: [String]
    }

    func preferences(_ c: Contact) -> PreferencesView {
        let config = state.settings.policy
        let (window, _) = c.effectiveQuietHours(config: config)
        return PreferencesView(
            contact: maskedContact(c.id), language: c.language ?? config.defaultLanguage,
            languageSource: c.language == nil ? "default" : c.languageChosen ? "contact" : "event",
            timeZone: c.timeZone ?? config.defaultTimeZone,
            timeZoneSource: c.timeZone == nil ? "default" : c.timeZoneChosen ? "contact" : "event",
            quietHours: window?.description ?? "off", quietHoursSource: c.quietHours == nil ? "default" : "contact", optedOutAll: c.optedOutAll,
            optedOutCategories: c.optedOutCategories, categories: Set(catalog.templates.values.map(\.category)).sorted())
    }

    func getPreferences(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let contact = try await store.contact(id: id) else { throw Problem.notFound("no contact '\(maskedContact(id))'") }
        return try jsonResponse(preferences(contact))
    }

    /// Sets the fields given; a field set to null goes back to the deployment's default; others keep their value.
    func putPreferences(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let f = try Fields(
            try await request.json(limit: limit),
            allowed: ["language", "timeZone", "quietHours", "optedOutAll", "optedOutCategories"])
        var change = PreferenceChange()
        func setting(_ field: String) throws -> PreferenceChange.Setting<String> {
            if f.isNull(field) { return .reset }
            return try f.string(field).map { .set($0) } ?? .keep
        }
        change.language = try setting("language")
        change.timeZone = try setting("timeZone")
        change.quietHours = try setting("quietHours")
        change.optedOutAll = try f.bool("optedOutAll")
        if f.isNull("optedOutCategories") {
            change.optedOutCategories = .reset
        } else if let categories = try f.strings("optedOutCategories") {
            change.optedOutCategories = .set(categories)
        }
        if let problem = change.problems(catalog: catalog).first {
            let field: String = switch problem.field {
            case .language: "language"
            case .timeZone: "timeZone"
            case .region: "region"
            case .quietHours: "quietHours"
            case .category:
                if case .set(let list) = change.optedOutCategories, let index = list.firstIndex(of: problem.value ?? "") {
                    "optedOutCategories[\(index)]"
                } else {
                    "optedOutCategories"
                }
            }
            throw Problem.field(field, problem.text, code: problem.code)
        }
        let source = context.identity.map(describe) ?? "?"
        let (contact, _) = try await store.updateContact(id: id, now: state.clock(), policy: state.settings.policy, source: "API, \(source)") {
            [change] in change.apply(to: &$0)
        }
        context.logger.info("preferences of \(maskedContact(id)) changed by \(source)")
        return try jsonResponse(preferences(contact))
    }

    func issueToken(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let buffer = try await request.bytes(limit: limit)
        var ttl = state.settings.tokenTTL
        if buffer.readableBytes > 0 {
            let value: JSONValue
            do { value = try JSONValue.parse(buffer.readableBytesView) } catch {
                throw Problem(.badRequest, "malformed-json", "the body is not valid JSON: \(error)")
            }
            let f = try Fields(value, allowed: ["ttl"])
            if let text = try f.string("ttl") {
                guard let seconds = DurationText.seconds(text), (60...90 * 86400).contains(seconds) else {
                    throw Problem.field("ttl", "'\(text)' is not a duration from 1m to 90d, e.g. 7d or 12h")
                }
                ttl = Int64(seconds)
            }
        }
        guard try await store.contact(id: id) != nil else { throw Problem.notFound("no contact '\(maskedContact(id))'") }
        let expires = state.clock() / 1000 + ttl
        struct Token: Encodable {
            var contact: String
            var token: String
            var expiresAt: String
        }
        return try jsonResponse(
            Token(contact: maskedContact(id), token: state.tokens.issue(contact: id, expires: expires),
                  expiresAt: Renderer.iso8601(ms: Double(expires * 1000))),
            status: .created)
    }

    // MARK: inbound SMS and delivery reports

    func inbound(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(try await request.json(limit: limit), allowed: ["from", "text", "to", "id", "receivedAt"])
        let from = try f.string("from", required: true)!
        let text = try f.string("text", required: true)!
        _ = try f.string("to")
        let providerID = try f.string("id")
        if let receivedAt = try f.string("receivedAt"),
            !ParameterValue.hasOffset(receivedAt) || ParameterValue.epochMilliseconds(receivedAt, timeZone: "UTC") == nil
        {
            throw Problem.field("receivedAt", "'\(receivedAt)' is not an ISO 8601 date-time with Z or an offset (e.g. 2026-11-23T09:00:00Z)")
        }
        let phone: PhoneNumber
        do { phone = try PhoneNumber.parse(from, region: state.settings.policy.defaultRegion) } catch {
            throw Problem.field("from", "\(error)", code: "invalid-phone")
        }
        let answer = try await Inbound(state: state).handle(phone: phone, text: text, providerID: providerID)
        context.logger.info("inbound SMS from \(phone.masked): \(answer.keyword?.rawValue ?? "no keyword")")
        return try jsonResponse(answer)
    }

    func deliveryReports(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let body = try await request.json(limit: limit)
        let items: [JSONValue]
        var single = false
        if case .array(let list) = body { items = list } else { items = [body]; single = true }
        guard items.count <= 1000 else { throw Problem.field("(body)", "\(items.count) reports; send at most 1000", code: "batch-size") }
        var reports: [DeliveryReport] = []
        for (index, item) in items.enumerated() {
            let prefix = single ? "" : "[\(index)]"
            let f = try Fields(item, path: prefix, allowed: DeliveryReport.jsonKeys)
            switch DeliveryReport.parse(item) {
            case .success(let report): reports.append(report)
            case .failure(let problem): throw Problem.field(f.name(problem.field ?? "(report)"), problem.text)
            }
        }
        let now = state.clock()
        var results: [ReportResult] = []
        for report in reports { results.append(try await store.apply(report, now: now)) }
        struct Answer: Encodable {
            var matched: Int
            var unknown: Int
            var results: [ReportResult]
        }
        let matched = results.filter { $0.messageID != nil }.count
        return try jsonResponse(Answer(matched: matched, unknown: results.count - matched, results: results))
    }

    // MARK: messages

    func messages(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let now = state.clock()
        var filter = MessageFilter(limit: 100)
        if let status = request.query("status") {
            if let problem = MessageStatus.problem(status) { throw Problem.field("?status", problem) }
            filter.status = status
        }
        filter.contact = request.query("contact")
        filter.template = request.query("template")
        filter.event = request.query("event")
        let window = try request.window(now: now)
        (filter.since, filter.until) = (window.since, window.until)
        if let text = request.query("before") {
            guard let id = Int64(text) else { throw Problem.field("?before", "'\(text)' is not a message id") }
            filter.before = id
        }
        if let text = request.query("limit") {
            guard let n = Int(text), (1...1000).contains(n) else { throw Problem.field("?limit", "'\(text)' is not a number in 1…1000") }
            filter.limit = n
        }
        var list = try await store.messages(filter)
        for i in list.indices { list[i].mask() }
        struct Page: Encodable {
            var messages: [StoredMessage]
            /// The `before` of the next page, when there may be one.
            var next: Int64?
        }
        return try jsonResponse(Page(messages: list, next: list.count == filter.limit ? list.last?.id : nil))
    }

    func messageID(_ context: HeraldContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text) else { throw Problem.field("id", "'\(text)' is not a message id", status: .notFound) }
        return id
    }

    func message(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try messageID(context)
        guard var m = try await store.message(id: id) else { throw Problem.notFound("no message \(id)") }
        m.mask()
        struct Answer: Encodable {
            var message: StoredMessage
            var attempts: [StoredAttempt]
        }
        return try jsonResponse(Answer(message: m, attempts: try await store.attempts(message: id)))
    }

    func resend(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try messageID(context)
        try await request.noBody(limit: limit)
        do {
            var m = try await store.resend(id, now: state.clock(), ttl: state.settings.resendTTL)
            context.logger.notice("message \(id) resent as \(m.id) by \(context.identity.map(describe) ?? "?")")
            m.mask()
            return try jsonResponse(m, status: .created)
        } catch let refusal as ResendRefusal {
            switch refusal.kind {
            case .notFound: throw Problem.notFound(refusal.description)
            case .optedOut: throw Problem(.conflict, "opted-out", refusal.description)
            case .notFinished: throw Problem(.conflict, "not-finished", refusal.description)
            }
        }
    }

    // MARK: campaigns and statistics

    func startCampaign(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(
            try await request.json(limit: state.settings.campaignMaxBody), allowed: ["id", "template", "params", "recipients"])
        let templateID = try f.string("template", required: true)!
        guard let template = catalog.templates[templateID] else {
            let hint = Catalog.closest(templateID, in: Array(catalog.templates.keys)).map { " (did you mean '\($0)'?)" } ?? ""
            throw Problem.field("template", "unknown template '\(templateID)'\(hint)", code: "unknown-template")
        }
        let common = try f.parameters("params")
        let recipients = try f.array("recipients", required: true)!
        guard (1...1_000_000).contains(recipients.count) else {
            throw Problem.field("recipients", "\(recipients.count) recipients; send 1 to 1000000", code: "batch-size")
        }
        var columns = Set<String>()
        for r in recipients {
            if case .object(let o) = r {
                columns.formUnion(o.keys)
                if case .object(let p)? = o["params"] { columns.formUnion(p.keys) }
            }
        }
        if let problem = template.unusableDirectly(parameters: common, columns: columns) {
            throw Problem.field("template", problem.replacingOccurrences(of: "add a column or --param", with: "give it in params or in each recipient's params")
                .replacingOccurrences(of: "add columns or --param", with: "give them in params or in each recipient's params"))
        }
        let id = try f.string("id") ?? "campaign-\(template.id)-\(UUID().uuidString.prefix(8).lowercased())"
        guard try await state.campaigns.start(id: id, template: template, common: common, recipients: recipients) else {
            throw Problem(.conflict, "exists", "an event or campaign '\(id)' exists; read it at /v1/campaigns/\(id)")
        }
        context.logger.info("campaign \(id) started: \(template.id), \(recipients.count) recipients")
        var response = try jsonResponse(try await state.campaigns.progress(id)!, status: .accepted)
        response.headers[.location] = "/v1/campaigns/\(id)"
        return response
    }

    func campaign(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let progress = try await state.campaigns.progress(id) else { throw Problem.notFound("no campaign '\(id)'") }
        return try jsonResponse(progress)
    }

    func stats(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let now = state.clock()
        let window = try request.window(now: now)
        return try jsonResponse(try await store.statistics(since: window.since, until: window.until, contact: request.query("contact")))
    }
}

/// A contact id keyed by a phone number is masked wherever it is shown.
func maskedContact(_ id: String) -> String { PhoneNumber.maskID(id) }

func describe(_ identity: Identity) -> String {
    switch identity {
    case .key(let name, let role): "key \(name) (\(role.rawValue))"
    case .customer(let contact): "the customer \(maskedContact(contact))"
    }
}
