import Foundation

/// A change to a person's preferences as `herald contact set`, `PUT /v1/contacts/{id}/preferences` and an
/// inbound STOP or START ask for it: checked in one place, applied in one place. Each adapter only turns its
/// input into a change and a problem's field into its own name for it (`--time-zone`, `timeZone`).
public struct PreferenceChange: Sendable, Equatable {
    /// A value to set, to put back to the deployment's default, or to leave as it is.
    public enum Setting<Value: Sendable & Equatable>: Sendable, Equatable {
        case keep
        case set(Value)
        case reset
    }

    /// What a change may be refused for, by the field at fault.
    public enum Field: Sendable, Equatable {
        case language, timeZone, region, quietHours
        /// A category of `optedOutCategories`, `optOut` or `optIn`.
        case category
    }

    public struct Problem: Error, Sendable, Equatable {
        public var field: Field
        /// The category at fault, for `.category`.
        public var value: String?
        public var text: String
        /// The API's code for this kind of mistake.
        public var code: String { field == .timeZone ? "invalid-time-zone" : "invalid-field" }
    }

    /// A BCP 47 tag the catalog serves; chosen by the person, so an event's language never replaces it.
    public var language: Setting<String> = .keep
    /// An IANA zone, chosen by the person.
    public var timeZone: Setting<String> = .keep
    /// Local `START-END`, or `off` for none; `.reset` is the deployment's.
    public var quietHours: Setting<String> = .keep
    /// The region of the person's numbers written without a country code.
    public var region: String?
    /// E.164, parsed by the caller (with the region it knows).
    public var phone: String?
    public var name: String?
    /// Opted out of everything (true) or not (false).
    public var optedOutAll: Bool?
    /// The whole list of categories opted out of.
    public var optedOutCategories: Setting<[String]> = .keep
    /// Categories added to the list.
    public var optOut: [String] = []
    /// Categories taken off the list.
    public var optIn: [String] = []

    public init() {}

    /// A person texted a stop word: out of everything. A start word: back in to everything.
    public static func keyword(_ kind: Keywords.Kind) -> PreferenceChange {
        var change = PreferenceChange()
        change.optedOutAll = kind == .stop
        if kind == .start { change.optedOutCategories = .reset }
        return change
    }

    /// Every mistake in the change, in the order of its fields; empty when it may be applied.
    public func problems(catalog: Catalog) -> [Problem] {
        var problems: [Problem] = []
        if case .set(let tag) = language, let text = ValueCheck.language(tag, servedBy: catalog) {
            problems.append(Problem(field: .language, text: text))
        }
        if case .set(let zone) = timeZone, let text = ValueCheck.timeZone(zone) {
            problems.append(Problem(field: .timeZone, text: text))
        }
        if let region, let text = ValueCheck.region(region) {
            problems.append(Problem(field: .region, text: text))
        }
        if case .set(let hours) = quietHours, hours != "off", let text = ValueCheck.quietHours(hours) {
            problems.append(Problem(field: .quietHours, text: text + ", or off"))
        }
        var given = optOut + optIn
        if case .set(let list) = optedOutCategories { given = list + given }
        let known = Set(catalog.templates.values.map(\.category))
        for category in given where !known.contains(category) {
            let hint = Catalog.closest(category, in: Array(known)).map { " (did you mean '\($0)'?)" } ?? ""
            problems.append(Problem(
                field: .category, value: category,
                text: "no template has category '\(category)'\(hint); categories: \(known.sorted().joined(separator: ", "))"))
        }
        return problems
    }

    /// The person after the change. The list of categories is set first, then `optIn` and `optOut` (in that order).
    public func apply(to contact: inout Contact) {
        switch language {
        case .keep: break
        case .set(let tag): (contact.language, contact.languageChosen) = (tag, true)
        case .reset: (contact.language, contact.languageChosen) = (nil, false)
        }
        switch timeZone {
        case .keep: break
        case .set(let zone): (contact.timeZone, contact.timeZoneChosen) = (zone, true)
        case .reset: (contact.timeZone, contact.timeZoneChosen) = (nil, false)
        }
        switch quietHours {
        case .keep: break
        case .set(let hours): contact.quietHours = hours == "off" ? "off" : QuietHours(hours)?.description ?? hours
        case .reset: contact.quietHours = nil
        }
        if let region { contact.region = region.uppercased() }
        if let phone { contact.phone = phone }
        if let name { contact.name = name }
        if let optedOutAll { contact.optedOutAll = optedOutAll }
        var categories = Set(contact.optedOutCategories)
        switch optedOutCategories {
        case .keep: break
        case .set(let list): categories = Set(list)
        case .reset: categories = []
        }
        categories.subtract(optIn)
        categories.formUnion(optOut)
        contact.optedOutCategories = categories.sorted()
    }
}
