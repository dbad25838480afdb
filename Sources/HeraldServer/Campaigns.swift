import Foundation
import HeraldCore
import HeraldDelivery
import HeraldApp
import Logging
import ServiceLifecycle

/// A campaign's progress as `GET /v1/campaigns/{id}` shows it.
public struct CampaignProgress: Sendable, Codable {
    /// `running`, `done`, `interrupted` (the server stopped; it resumes at the next start), or `failed`.
    public var state: String
    public var id: String
    public var template: String
    public var rows: Int
    /// Rows looked at so far (decided, refused or skipped).
    public var processed: Int
    public var refused: [RefusedRow]
    public var counts: CampaignCounts
    public var startedAt: String
    public var finishedAt: String?
    public var error: String?

    public struct RefusedRow: Sendable, Codable, Equatable {
        /// The recipient's position in the request's list, from 1.
        public var index: Int
        public var reason: String
    }
}

/// Runs campaigns posted over HTTP in the background (`CampaignRun`, one batch per transaction), each in its own
/// task. A campaign is stored as an event whose payload holds the whole request, so one cut short by a stop
/// resumes when the server starts again; rows already decided are skipped.
public final class CampaignRunner: Service, Sendable {
    let store: any Storage
    let planner: Planner
    let region: String
    let clock: @Sendable () -> Int64
    let logger: Logger
    let batchSize: Int
    private let tasks = Locked<[String: Task<Void, Never>]>([:])
    private let running = Locked<[String: CampaignProgress]>([:])
    private let stopping = Locked(false)

    init(store: any Storage, planner: Planner, region: String, clock: @escaping @Sendable () -> Int64, logger: Logger, batchSize: Int = 500) {
        self.store = store
        self.planner = planner
        self.region = region
        self.clock = clock
        self.logger = logger
        self.batchSize = batchSize
    }

    static func metaKey(_ id: String) -> String { "campaign:\(id)" }

    /// Stores the campaign's event and starts it; false when the id is taken.
    func start(id: String, template: Template, common: [String: String], recipients: [JSONValue]) async throws -> Bool {
        let event = CampaignRun.event(id: id, template: template, common: common, recipients: .array(recipients), now: clock())
        guard try await store.register(event, now: event.occurredAt ?? clock()) else { return false }
        launch(event: event, template: template, common: common, recipients: recipients, resumed: false)
        return true
    }

    private func launch(event: Event, template: Template, common: [String: String], recipients: [JSONValue], resumed: Bool) {
        let progress = CampaignProgress(
            state: "running", id: event.id, template: template.id, rows: recipients.count, processed: 0, refused: [],
            counts: CampaignCounts(), startedAt: Renderer.iso8601(ms: Double(clock())))
        running.update { $0[event.id] = progress }
        let task = Task {
            await self.run(event: event, template: template, common: common, recipients: recipients, resumed: resumed)
        }
        tasks.update { $0[event.id] = task }
    }

    private func run(event: Event, template: Template, common: [String: String], recipients: [JSONValue], resumed: Bool) async {
        let campaign = CampaignRun(
            store: store, planner: planner, template: template, common: common, event: event,
            now: event.occurredAt ?? clock(), resumed: resumed)
        var index = 0
        let (region, size) = (region, batchSize)
        do {
            // One process runs a campaign at a time (many servers on one PostgreSQL database).
            let outcome = try await store.exclusively(Self.metaKey(event.id)) { try await campaign.run(
                next: {
                    let slice = recipients[index..<min(index + size, recipients.count)]
                    defer { index += slice.count }
                    return slice.enumerated().map { RecipientRow(line: index + $0.offset + 1, json: $0.element, region: region) }
                },
                shouldStop: { stopping.value },
                planned: { batch in
                    running.update {
                        $0[event.id]?.processed += batch.rows
                        $0[event.id]?.refused += batch.refused.map { CampaignProgress.RefusedRow(index: $0.line, reason: $0.reason) }
                    }
                }) }
            guard let ending = outcome else {
                logger.notice("campaign \(event.id) is being run by another Herald process on this database")
                running.update { $0[event.id] = nil }
                return
            }
            if ending == .stopped {
                let processed = running.value[event.id]?.processed ?? 0
                logger.notice("campaign \(event.id) stopped at row \(processed) of \(recipients.count); it resumes at the next start")
                running.update { $0[event.id]?.state = "interrupted" }
                return
            }
            let final = running.update { p -> CampaignProgress? in
                p[event.id]?.state = "done"
                p[event.id]?.finishedAt = Renderer.iso8601(ms: Double(clock()))
                return p[event.id]
            }
            if let final { try await store.setMeta(Self.metaKey(event.id), String(decoding: try JSONEncoder().encode(final), as: UTF8.self)) }
            logger.info("campaign \(event.id) done: \(recipients.count) rows")
        } catch {
            let line = (error as? CampaignRun.Interrupted)?.line ?? index
            logger.error("campaign \(event.id) failed at row \(line): \(error)")
            let p = running.update { p -> CampaignProgress? in
                p[event.id]?.state = "failed"
                p[event.id]?.error = "\(error); rows before \(line) are stored"
                return p[event.id]
            }
            if let p { try? await store.setMeta(Self.metaKey(event.id), String(decoding: (try? JSONEncoder().encode(p)) ?? Data(), as: UTF8.self)) }
        }
    }

    /// The campaign's progress, or nil when no campaign has this id.
    func progress(_ id: String) async throws -> CampaignProgress? {
        var progress: CampaignProgress
        if let live = running.value[id] {
            progress = live
        } else if let stored = try await store.meta(Self.metaKey(id)),
            let decoded = try? JSONDecoder().decode(CampaignProgress.self, from: Data(stored.utf8))
        {
            progress = decoded
        } else {
            guard let event = try await store.event(id: id), event.type == "campaign" else { return nil }
            let recipients = event.payload["data"]?["recipients"]
            let rows: Int
            if case .array(let list)? = recipients { rows = list.count } else { rows = 0 }
            progress = CampaignProgress(
                state: rows == 0 ? "done" : "interrupted", id: id, template: event.payload["data"]?["template"]?.text ?? "?",
                rows: rows, processed: 0, refused: [], counts: CampaignCounts(),
                startedAt: Renderer.iso8601(ms: Double(event.receivedAt)))
        }
        progress.counts = try await store.campaignCounts(id)
        if progress.state != "running" { progress.processed = max(progress.processed, progress.counts.decided + progress.refused.count) }
        return progress
    }

    /// Resumes campaigns a stop cut short, then waits for the shutdown and stops between batches.
    public func run() async throws {
        let catalog = planner.catalog
        for stored in try await store.events(type: "campaign", limit: 1000) {
            let (id, payload) = (stored.id, stored.payload)
            guard try await store.meta(Self.metaKey(id)) == nil, running.value[id] == nil,
                case .array(let recipients)? = payload["data"]?["recipients"],
                let templateID = payload["data"]?["template"]?.text, let template = catalog.templates[templateID]
            else { continue }
            var common: [String: String] = [:]
            if case .object(let params)? = payload["data"]?["params"] {
                for (k, v) in params { common[k] = v.text }
            }
            let occurredAt = stored.occurredAt
            logger.notice("resuming campaign \(id) (\(recipients.count) rows; rows already decided are skipped)")
            launch(
                event: Event(id: id, type: "campaign", occurredAt: occurredAt, data: payload["data"] ?? .null),
                template: template, common: common, recipients: recipients, resumed: true)
        }
        try? await gracefulShutdown()
        stopping.update { $0 = true }
        // Waits for the batches in progress to be written.
        for task in tasks.value.values { await task.value }
    }
}
