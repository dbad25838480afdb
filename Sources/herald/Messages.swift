import ArgumentParser
import Foundation
import HeraldCore
import HeraldApp

struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List messages in the outbox, newest first.",
        discussion: """
            Examples:
              herald messages --status queued --contact ecar-c-42
              herald messages --since 24h --until 1h --json
            """
    )

    @Option(help: "Only this status (queued, deferred, retry, disabled, sending, sent, delivered, failed, expired, cancelled).")
    var status: String?
    @Option(help: "Only this contact id.") var contact: String?
    @Option(help: "Only this template id.") var template: String?
    @Option(help: "Only this event id.") var event: String?
    @Option(help: "At most this many.") var limit: Int = 50
    @OptionGroup(title: "Created") var window: WindowOptions
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Show full phone numbers instead of masked ones.") var showPhone = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        if let status { do { _ = try MessageStatus.parse(status) } catch { throw ValidationError("--status: \(error)") } }
    }

    func run() async throws {
        let span = try window.window(now: try clock.clock())
        let store = try await storeOptions.open()
        var messages = try await store.messages(
            MessageFilter(
                status: status.flatMap(MessageStatus.init(rawValue:)), contact: contact, template: template, event: event, since: span.since, until: span.until,
                limit: limit))
        if !showPhone {
            for i in messages.indices { messages[i].mask() }
        }
        if json { return try printJSON(messages) }
        if messages.isEmpty {
            print("no messages")
            return
        }
        for m in messages {
            print("#\(m.id) \(m.status)\(m.reason.map { " (\($0))" } ?? "") \(m.template) → \(m.contact) \(m.phone) [\(m.locale), \(m.encoding), \(m.segments) seg] due \(m.dueAt) (event \(m.event))")
            print("    \(m.text)")
            if m.attempts > 0 || m.lastError != nil {
                print("    \(m.attempts) attempt\(m.attempts == 1 ? "" : "s")\(m.providerID.map { ", provider id \($0)" } ?? "")\(m.lastError.map { "; \($0)" } ?? "")")
            }
        }
        let counts = try await store.messageCounts()
        print("\(messages.count) shown; in the outbox: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain what Herald decided for an event, or for a person over time, and why.",
        discussion: """
            For an event: the rules that matched, every person reached, each preference consulted, the recipient's
            local time and quiet window, and the message written with its cost and attempts, or the exact reason it
            was not sent. For a person (--contact without an event): their preferences now, each change of them
            (when, and how: the CLI, the API, a STOP by SMS), and every event that reached them in the window with
            what Herald decided.
            Examples:
              herald explain ecar-inv-2002 --contact ecar-c-42
              herald explain --contact ecar-c-42 --since 24h
            """
    )

    @Argument(help: "The event id (leave it out with --contact for the person's story).") var eventID: String?
    @Option(help: "Only what concerns this contact; without an event, their story.") var contact: String?
    @OptionGroup(title: "A person's story") var window: WindowOptions
    @Option(help: "At most this many events in a person's story.") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Show full phone numbers instead of masked ones.") var showPhone = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if eventID == nil && contact == nil { throw ValidationError("give an event id, or --contact ID for a person's story") }
        if eventID != nil && (window.since != nil || window.until != nil) {
            throw ValidationError("--since and --until are for a person's story: leave out the event id")
        }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        guard let eventID else { return try await story(of: contact!, store: store) }
        guard var x = try await store.explain(event: eventID, contact: contact) else {
            throw Self.fail("no event '\(eventID)' in \(store.location)")
        }
        if let contact, x.decisions.isEmpty {
            throw Self.fail("event '\(eventID)' reached no contact '\(contact)' (it reached: \(try await store.explain(event: eventID)?.decisions.map(\.contact).joined(separator: ", ") ?? ""))")
        }
        if !showPhone {
            for i in x.messages.indices { x.messages[i].mask() }
            for i in x.decisions.indices { x.decisions[i].contact = maskedID(x.decisions[i].contact) }
            x.payload = maskPhones(x.payload)
        }
        if json { return try printJSON(x) }
        try await show(x, store: store)
    }

    /// `herald explain --contact ID`: `PersonStory`, newest event first.
    func story(of contact: String, store: any Storage) async throws {
        let span = try window.window(now: try clock.clock())
        var story = try await PersonStory.read(contact: contact, window: span, limit: limit, from: store)
        if !showPhone { story.mask() }
        if json { return try printJSON(story) }
        let bounds = [story.since.map { "since \($0)" }, story.until.map { "until \($0)" }].compactMap { $0 }
        print("contact \(story.contact)\(bounds.isEmpty ? "" : " (" + bounds.joined(separator: ", ") + ")")")
        guard let p = story.preferences else {
            print("  Herald has never stored this contact: no event named them and no preference was set")
            return
        }
        let outs = p.optedOutAll ? "every message" : p.optedOutCategories.isEmpty ? "nothing" : p.optedOutCategories.joined(separator: ", ")
        print("  now: opted out of \(outs); language \(p.language ?? "default")\(p.languageChosen ? " (chosen)" : ""); time zone \(p.timeZone ?? "default"); quiet hours \(p.quietHours ?? "default"); phone \(p.phone ?? "none")")
        print("preference changes:" + (story.preferenceChanges.isEmpty ? " none in this window" : ""))
        for change in story.preferenceChanges {
            print("  \(change.at) by \(change.source): \(change.changes.joined(separator: "; "))")
        }
        print("events:" + (story.events.isEmpty ? " none in this window" : " \(story.events.count), newest first"))
        for x in story.events {
            print("")
            try await show(x, store: store)
        }
    }

    /// One event's explanation, as printed.
    func show(_ x: Explanation, store: any Storage) async throws {
        print("event \(x.event) (\(x.type)) " + (x.occurredAtGiven
            ? "occurred \(x.occurredAt), received \(x.receivedAt)"
            : "received \(x.receivedAt) (no occurredAt given: taken as received)"))
        print("rules:")
        if x.rules.isEmpty { print("  no template answers \(x.type)") }
        for rule in x.rules {
            print("  \(rule.template): \(rule.matched ? "matched" : "did not match")")
            for note in rule.notes { print("    \(note)") }
        }
        for d in x.decisions {
            print("\(d.contact) (\(d.audience)) ← \(d.template): \(d.action.rawValue.uppercased())\(d.reason.map { " \($0.rawValue)" } ?? "")")
            print("  \(d.detail)")
            for step in d.trace { print("  · \(step.check) [\(step.outcome)]: \(step.detail)") }
            if let id = d.messageID, let m = x.messages.first(where: { $0.id == id }) {
                print("  message #\(m.id) \(m.status)\(m.reason.map { " (\($0))" } ?? ""), due \(m.dueAt), expires \(m.expiresAt), to \(m.phone)")
                print("  \(m.locale) · \(m.encoding) · \(m.units) units · \(m.segments) segment\(m.segments == 1 ? "" : "s"):")
                print("    \(m.text)")
                for a in try await store.attempts(message: m.id) { print("  · " + Self.line(a)) }
                if let error = m.lastError, m.status != .sent { print("  last error: \(error)") }
            }
        }
    }

    /// `attempt 1 at …, http: transient, HTTP 500 …, 12 ms → retry at …`
    static func line(_ a: AttemptRecord) -> String {
        var out = "attempt \(a.number) at \(a.startedAt), \(a.sender): \(a.outcome)"
        if let status = a.httpStatus { out += ", HTTP \(status)" }
        if let id = a.providerID { out += ", provider id \(id)" }
        if let error = a.error { out += ", \(error)" }
        out += ", \(a.latencyMs) ms → \(a.result)"
        if let next = a.nextAt { out += " at \(next)" }
        return out
    }

    func maskPhones(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out: [String: JSONValue] = [:]
            for (key, child) in object {
                if key == "phone", case .string(let text) = child {
                    out[key] = .string(PhoneNumber.mask(e164: text))
                } else {
                    out[key] = maskPhones(child)
                }
            }
            return .object(out)
        case .array(let list): return .array(list.map(maskPhones))
        default: return value
        }
    }
}

/// A contact keyed by its phone number (a raw `herald send`, a campaign row without an id) is shown masked.
func maskedID(_ id: String) -> String { PhoneNumber.maskID(id) }
