import ArgumentParser
import Foundation
import HeraldCore
import HeraldDelivery

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send now through the configured sender, printing every step: the test of a whole set-up.",
        discussion: """
            Three forms:
              herald send --to 0911234567 --text "Test message"        a text as written; no template, no policy
              herald send --contact C --template T --param k=v …       one template to one contact, policy applied
              herald send --event FILE                                 an event, then its messages due now
            Each message is stored in the outbox, then sent with the worker's retries (waiting up to --wait
            seconds for them); each attempt is printed with its outcome. Deferred messages (quiet hours, a
            schedule) stay in the outbox for `herald worker`. Exit status 1 when a message failed or expired.
            """)

    @Option(help: "A phone number, in any form the default region understands.")
    var to: String?

    @Option(help: "The text to send with --to.")
    var text: String?

    @Option(help: "A contact id, with --template.")
    var contact: String?

    @Option(help: "A template id, with --contact.")
    var template: String?

    @Option(name: .customLong("param"), help: "A template parameter NAME=VALUE (repeatable).")
    var params: [String] = []

    @Option(help: "A file holding one event (or several) to ingest and send.")
    var event: String?

    @Option(help: "Seconds to wait for retries before leaving them to the worker.")
    var wait: Double = 120

    @Flag(help: "Show phone numbers in full.")
    var showPhone = false

    @OptionGroup(title: "Sending") var delivery: DeliveryOptions
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        let forms = [to != nil || text != nil, contact != nil || template != nil, event != nil].filter { $0 }.count
        guard forms == 1 else { throw ValidationError("give one of --to/--text, --contact/--template, or --event") }
        if (to == nil) != (text == nil) { throw ValidationError("--to and --text go together") }
        if (contact == nil) != (template == nil) { throw ValidationError("--contact and --template go together") }
        if to != nil, text?.isEmpty ?? true { throw ValidationError("--text is empty") }
    }

    /// One step: its label in a column wide enough for the longest (`self_action`, `quiet_hours`), then the detail.
    func show(_ step: String, _ detail: String) { print(Self.label(step) + detail) }

    static func label(_ step: String) -> String { step + String(repeating: " ", count: max(1, 13 - step.count)) }

    func phone(_ e164: String) -> String { showPhone ? e164 : PhoneNumber.mask(e164: e164) }

    func run() async throws {
        let store = try await engine.store.open()
        let config = try engine.policy.config()
        var workerConfig = try delivery.workerConfig()
        let sender = try delivery.makeSender(connections: workerConfig.concurrency)
        let now = try engine.clock.clock()
        let ids: [Int64]
        do {
            if let to, let text {
                ids = try await direct(to: to, text: text, store: store, config: config, now: now)
            } else if let contact, let template {
                ids = try await templated(contact: contact, template: template, store: store, config: config, now: now)
            } else {
                ids = try await fromEvent(event!, store: store, config: config, now: now)
            }
        } catch {
            await sender.shutdown()
            throw error
        }
        guard !ids.isEmpty else {
            await sender.shutdown()
            show("result", "nothing to send now")
            return
        }
        show("sender", DeliveryOptions.describe(sender) + (workerConfig.enabled ? "" : " — switched OFF (HERALD_SMS_ENABLED=false)"))
        workerConfig.only = ids
        let started = Stopwatch()
        let worker = Worker(store: store, sender: sender, config: workerConfig, policy: config, logger: makeLogger("herald.send", level: .error), observer: { message, record in
            var line = "message \(message.id) #\(record.number): "
            switch record.outcome {
            case .accepted:
                line += "accepted" + (record.httpStatus.map { " (HTTP \($0))" } ?? "")
                if let id = record.providerID { line += ", provider id \(id)" }
                if let note = record.error { line += "; \(note)" }
            case .transient, .permanent:
                line += "\(record.outcome.rawValue) failure: \(record.error ?? "")"
            }
            line += " in \(record.latencyMs) ms → \(record.result.rawValue)"
            if let next = record.nextAt { line += " at \(next)" }
            print(Self.label("attempt") + line)
        })
        // With a fixed --now, retries come due by advancing that clock; otherwise by waiting.
        let fixedClock = engine.clock.isFixed
        let system = try engine.clock.source()
        let offset = Locked<Int64>(0)
        let timeSource: @Sendable () -> Int64 = { system() + offset.value }
        do {
            while true {
                _ = try await worker.pass(clock: timeSource)
                if !workerConfig.enabled { break }
                guard try await store.pending(now: timeSource(), only: ids) > 0 else { break }
                guard started.seconds < wait, let due = try await nextRetry(store, ids) else { break }
                let delay = max(0, due - timeSource())
                if fixedClock { offset.update { $0 += delay } } else { try await Task.sleep(for: .milliseconds(delay)) }
            }
        } catch {
            await sender.shutdown()
            throw Self.fail("database \(store.location): \(error)")
        }
        await sender.shutdown()
        var bad = false
        for id in ids {
            guard let m = try await store.message(id: id) else { continue }
            var line = "message \(id): \(m.status)"
            if m.status == .retry { line += " (the worker tries again at \(m.dueAt))" }
            if m.status == .disabled { line += " (held; sent when HERALD_SMS_ENABLED is true again, until \(m.expiresAt))" }
            if let e = m.lastError, m.status != .sent { line += ": \(e)" }
            if m.status == .failed || m.status == .expired { bad = true }
            show("result", line)
        }
        if bad { throw ExitCode(1) }
    }

    func nextRetry(_ store: any Storage, _ ids: [Int64]) async throws -> Int64? {
        var due: [Int64] = []
        for id in ids {
            guard let m = try await store.message(id: id), m.status == .retry || m.status == .queued else { continue }
            due.append(m.dueAt.ms)
        }
        return due.min()
    }

    /// `--to --text`: the number checked by libphonenumber, the text counted, stored as queued.
    func direct(to: String, text: String, store: any Storage, config: PolicyConfig, now: Int64) async throws -> [Int64] {
        let number: PhoneNumber
        do { number = try PhoneNumber.parse(to, region: config.defaultRegion) } catch {
            throw Self.fail("--to '\(to)': \(error.description) (region \(config.defaultRegion))")
        }
        show("number", "\(to) → \(phone(number.e164)) (\(number.isValidPerMetadata ? "valid" : "possible, not valid per libphonenumber's 2022 metadata; sent anyway"))")
        let sms = SMS.count(text)
        let forced = sms.encoding == .ucs2 ? SMS.nonGSMCharacters(text) : []
        show("text", "\(sms.encoding.rawValue), \(sms.segments) segment\(sms.segments == 1 ? "" : "s") (\(sms.units) units)\(forced.isEmpty ? "" : "; UCS-2 because of \(forced.prefix(5).map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " "))")")
        let eventID = "send-\(now)-\(UInt32.random(in: 0...UInt32.max))"
        let event = Event(id: eventID, type: "herald.send", occurredAt: now,
                          data: .object(["to": .string(number.e164), "text": .string(text)]))
        try await store.register(event, now: now)
        let id = try await store.queue(
            RawMessage(
                eventID: eventID, contact: number.e164, phone: number.e164, text: text, locale: "und",
                encoding: sms.encoding.rawValue, units: sms.units, segments: sms.segments, expiresAt: now + 24 * 3_600_000),
            now: now)
        show("stored", "message \(id) (event \(eventID)), queued")
        return [id]
    }

    /// `--contact --template`: the policy decides, as for a campaign of one.
    func templated(contact: String, template id: String, store: any Storage, config: PolicyConfig, now: Int64) async throws -> [Int64] {
        let catalog = try loadCatalog(engine.catalog)
        guard let template = catalog.templates[id] else {
            throw Self.fail(catalog.unknownTemplate(id))
        }
        let parameters = try parameterPairs(params)
        let planner = Planner(renderer: Renderer(catalog: catalog), config: config)
        let eventID = "send-\(now)-\(UInt32.random(in: 0...UInt32.max))"
        let event = Event(id: eventID, type: "herald.send", occurredAt: now,
                          data: .object(["template": .string(id), "contact": .string(contact)]))
        if let problem = template.unusableDirectly(parameters: parameters, columns: []) { throw Self.fail(problem) }
        guard try await store.contact(id: contact) != nil else {
            throw Self.fail("unknown contact '\(contact)'; add it with herald contact set \(contact) --phone …")
        }
        try await store.register(event, now: now)
        let decision: Decision
        do {
            let plan = try await store.planning { context in
                try planner.plan(
                    template: template, person: .object(["id": .string(contact)]), parameters: parameters, event: event,
                    now: now, context: context)
            }
            decision = try await store.write([plan], eventID: eventID, now: now)[0]
        } catch let error as EventError {
            throw Self.fail(error.description)
        }
        for step in decision.trace { show(step.check, "\(step.outcome): \(step.detail)") }
        show("decision", describe(decision))
        return decision.action == .send ? decision.messageID.map { [$0] } ?? [] : []
    }

    /// `--event`: ingested as by `herald event`, then its messages due now are sent.
    func fromEvent(_ file: String, store: any Storage, config: PolicyConfig, now: Int64) async throws -> [Int64] {
        let catalog = try loadCatalog(engine.catalog)
        guard let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file) else {
            throw Self.fail("cannot read \(file)")
        }
        var events: [Event] = []
        for item in EventInput.split(data) {
            do { events.append(try item.parse(data, catalog: catalog)) } catch {
                throw Self.fail("\(file):\(item.line): \(error.description)")
            }
        }
        let planner = Planner(renderer: Renderer(catalog: catalog), config: config)
        var ids: [Int64] = []
        for result in try await store.ingest(events, planner: planner, now: now) {
            switch result {
            case .failure(let error): throw Self.fail("\(file): \(error.description)")
            case .success(let r):
                show("event", "\(r.event) \(r.type)\(r.duplicate ? " (already stored: nothing new)" : "")")
                for d in r.decisions {
                    show("decision", describe(d))
                    if d.action == .send, !r.duplicate, let id = d.messageID { ids.append(id) }
                }
            }
        }
        return ids
    }
}

/// `--param NAME=VALUE` flags as a dictionary; the last value of a name wins.
func parameterPairs(_ flags: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for p in flags {
        guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw Herald.fail("--param '\(p)' is not NAME=VALUE") }
        out[String(p[..<eq])] = String(p[p.index(after: eq)...])
    }
    return out
}
