import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// Campaigns: start one, follow it.
struct CampaignsController: Controller {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        t.add(.post, "/v1/campaigns", roles: [.backend], startCampaign)
        t.add(.get, "/v1/campaigns/{id}", roles: [.backend, .staff], campaign)
    }

    func startCampaign(_ request: Request, _ context: HeraldContext) async throws -> Response {
        let f = try Fields(
            try await request.json(limit: state.settings.campaignMaxBody), allowed: ["id", "template", "params", "recipients"])
        let templateID = try f.string("template", required: true)!
        guard let template = catalog.templates[templateID] else {
            throw Problem.field("template", catalog.unknownTemplate(templateID), code: "unknown-template")
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
            throw Problem.field("template", problem)
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
}
