import HeraldCore

/// A person's preferences as every adapter shows them (`herald contact show`, `GET /v1/contacts/{id}/preferences`,
/// the console): each value in force, and where it comes from.
public struct PreferencesView: Sendable, Codable, Equatable {
    public var contact: String
    public var language: String?
    /// `contact` (the person's choice), `event` (learnt from an event) or `default` (the deployment's).
    public var languageSource: String

    /// A source in words: `the contact's choice`, `from an event`, `deployment default`.
    public static func words(_ source: String) -> String {
        switch source {
        case "contact": "the contact's choice"
        case "event": "from an event"
        default: "deployment default"
        }
    }
    public var timeZone: String?
    public var timeZoneSource: String
    /// The window in force, or `off`.
    public var quietHours: String?
    /// `contact` or `default`.
    public var quietHoursSource: String
    public var optedOutAll: Bool
    public var optedOutCategories: [String]
    /// The categories one may opt out of: those of the catalog's templates (empty without a catalog).
    public var categories: [String]
    /// After a change: what it did to the person's waiting messages (cancelled, deferred, released, expired).
    public var changes: ConsentChanges?

    public init(_ c: Contact, config: PolicyConfig, catalog: Catalog?) {
        let (window, _) = c.effectiveQuietHours(config: config)
        contact = c.id
        language = c.language ?? config.defaultLanguage
        languageSource = c.language == nil ? "default" : c.languageChosen ? "contact" : "event"
        timeZone = c.timeZone ?? config.defaultTimeZone
        timeZoneSource = c.timeZone == nil ? "default" : c.timeZoneChosen ? "contact" : "event"
        quietHours = window?.description ?? "off"
        quietHoursSource = c.quietHours == nil ? "default" : "contact"
        optedOutAll = c.optedOutAll
        optedOutCategories = c.optedOutCategories
        categories = Set(catalog?.templates.values.map(\.category) ?? []).sorted()
    }
}
