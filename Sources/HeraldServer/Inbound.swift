import Foundation
import HeraldCore

/// An SMS a person sent back. A stop word of any locale opts every contact with that number out of everything
/// (a number no contact has becomes a contact keyed by it, opted out, so later messages to it are refused); a
/// start word opts them back in. The reply, when the locale has one, is queued in the person's language.
struct Inbound {
    let state: ServerState

    struct Answer: Encodable {
        /// `stop`, `start`, or nil when the text is no keyword (nothing changes).
        var keyword: Keywords.Kind?
        /// The word as matched, and the locale whose list it is in.
        var word: String?
        var keywordLocale: String?
        /// The contacts changed.
        var contacts: [String]
        var reply: Reply?
        /// The event standing for this SMS (`herald explain` reads it).
        var event: String?
        /// Messages that were waiting for them and are now cancelled.
        var cancelled = 0
    }

    struct Reply: Encodable {
        var messageId: Int64
        var locale: String
        var text: String
        var segments: Int
    }

    func handle(phone: PhoneNumber, text: String, providerID: String?) async throws -> Answer {
        guard let match = state.keywords.match(text) else {
            return Answer(keyword: nil, word: nil, keywordLocale: nil, contacts: [], reply: nil, event: nil)
        }
        let (kind, locales, word) = (match.kind, match.locales, match.word)
        let store = state.store
        let now = state.clock()
        var contacts = try await store.contacts(phone: phone.e164)
        if contacts.isEmpty, kind == .stop { contacts = [Contact(id: phone.e164)] }
        var changed: [Contact] = []
        var cancelled = 0
        for contact in contacts {
            let change = PreferenceChange.keyword(kind)
            let (updated, changes) = try await store.updateContact(
                id: contact.id, now: now, policy: state.settings.policy, source: "inbound SMS \(word) from \(phone.masked)"
            ) { c in
                change.apply(to: &c)
                if c.phone == nil { c.phone = phone.e164 }
            }
            changed.append(updated)
            cancelled += changes.cancelled
        }
        // The reply is in the person's language when known, else in the language of the word they used (the
        // deployment's language first when several list it, as STOP).
        let defaultLanguage = state.settings.policy.defaultLanguage
        let keywordLocale = locales.contains(defaultLanguage) ? defaultLanguage : locales[0]
        let language = changed.first(where: { $0.languageChosen })?.language ?? changed.first?.language ?? keywordLocale
        let chain = state.catalog.chain(for: language.replacingOccurrences(of: "-", with: "_"))
        let file = chain.first(where: { (kind == .stop ? $0.stopReply : $0.startReply) != nil })
        let eventID = "inbound-\(providerID.map { "\($0)-" } ?? "")\(UUID().uuidString.prefix(8).lowercased())"
        let event = Event(
            id: eventID, type: "inbound", occurredAt: now,
            data: .object([
                "from": .string(phone.e164), "keyword": .string(kind.rawValue), "word": .string(word),
                "contacts": .array(changed.map { .string($0.id) }),
            ]))
        try await store.register(event, now: now)
        var reply: Reply?
        if let file, let text = kind == .stop ? file.stopReply : file.startReply {
            let measured = Renderer.measure(text, policy: file.gsm)
            let id = try await store.queue(
                RawMessage(
                    eventID: eventID, contact: changed.first?.id ?? phone.e164, phone: phone.e164, text: measured.text,
                    locale: file.id, encoding: measured.encoding.rawValue, units: measured.units, segments: measured.segments,
                    expiresAt: now + 3600 * 1000, category: Consent.keywordReply),
                now: now)
            reply = Reply(messageId: id, locale: file.id, text: measured.text, segments: measured.segments)
        }
        return Answer(
            keyword: kind, word: word, keywordLocale: keywordLocale, contacts: changed.map { maskedContact($0.id) },
            reply: reply, event: eventID, cancelled: cancelled)
    }
}
