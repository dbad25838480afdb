import Foundation
import HeraldCore

/// One campaign, run batch by batch through the policy: the loop `herald campaign` and `POST /v1/campaigns` share.
/// A campaign is an event (`type: campaign`) whose decisions are its rows; running the same id again skips the rows
/// already decided, so a run cut short resumes. While one batch is written (its own transaction), the next is
/// planned on a read-only snapshot.
public struct CampaignRun: Sendable {
    public let store: any Storage
    public let planner: Planner
    public let template: Template
    /// Parameters for every row (a row's own value wins).
    public let common: [String: String]
    public let event: Event
    /// The time every row is decided at (the campaign's).
    public let now: Int64
    /// Rows already decided by an earlier run are skipped.
    public let resumed: Bool
    /// Decide every row and store nothing.
    public let dryRun: Bool

    /// Why a campaign stopped before its end: the rows before `line` are stored, the rest is not.
    public struct Interrupted: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { reason }
    }

    /// How a run ended.
    public enum Ending: Sendable, Equatable {
        /// Every row was looked at.
        case finished
        /// `shouldStop` asked for a stop between batches; every batch planned before it is stored.
        case stopped
    }

    public init(
        store: any Storage, planner: Planner, template: Template, common: [String: String], event: Event, now: Int64,
        resumed: Bool, dryRun: Bool = false
    ) {
        self.store = store
        self.planner = planner
        self.template = template
        self.common = common
        self.event = event
        self.now = now
        self.resumed = resumed
        self.dryRun = dryRun
    }

    /// The event standing for a campaign, stored first: its id, template, parameters and recipients (`source`: a
    /// file's name, or the whole list a request gave, so a server can resume it).
    public static func event(id: String, template: Template, common: [String: String], recipients: JSONValue, now: Int64) -> Event {
        Event(
            id: id, type: "campaign", occurredAt: now,
            data: .object([
                "template": .string(template.id), "recipients": recipients,
                "params": .object(common.mapValues(JSONValue.string)),
            ]))
    }

    /// Runs batches from `next` (nil or empty at the end) until the end or until `shouldStop` says so, between
    /// batches. `planned` is called with each batch as soon as it is decided (its rows counted, its refusals
    /// known); it is stored by the time the next batch has been planned, and all are stored when this returns.
    /// A storage failure throws `Interrupted` with the first line not stored.
    public func run(
        next: () async throws -> [RecipientRow]?,
        shouldStop: () -> Bool = { false },
        planned: (CampaignBatch) -> Void
    ) async throws -> Ending {
        let seen = Locked(Set<String>())
        var writing: (line: Int, task: Task<Void, any Error>)?
        func settle() async throws {
            guard let (line, task) = writing else { return }
            writing = nil
            do { try await task.value } catch {
                throw Interrupted(line: line, reason: "\(error)")
            }
        }
        while true {
            if shouldStop() {
                try await settle()
                return .stopped
            }
            guard let rows = try await next(), let first = rows.first?.line else { break }
            let (planner, template, common, event, now, resumed) = (planner, template, common, event, now, resumed)
            let batch: CampaignBatch
            do {
                // The body may run more than once (a store that reads ahead runs it again with what it read), so
                // it works on a copy of the contacts seen so far, kept only once the batch is planned.
                let before = seen.value
                let planned = try await store.planning { context in
                    var set = before
                    let batch = try planner.planCampaign(
                        rows, template: template, common: common, event: event, now: now, resumed: resumed,
                        seen: &set, context: context)
                    return Planned(batch: batch, seen: set)
                }
                seen.update { $0 = planned.seen }
                batch = planned.batch
            } catch {
                try? await settle()
                throw Interrupted(line: first, reason: "\(error)")
            }
            try await settle()
            planned(batch)
            if dryRun { continue }
            let (store, plans, id) = (store, batch.plans, event.id)
            writing = (first, Task { try await store.write(plans, eventID: id, now: now) })
        }
        try await settle()
        return .finished
    }
}

/// A planned batch and the contacts seen once it was planned.
private struct Planned: Sendable {
    var batch: CampaignBatch
    var seen: Set<String>
}
