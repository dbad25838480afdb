import ArgumentParser
import Foundation
import HeraldCore
import HeraldApp

struct ContactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Show or change a contact's preferences: language, opt-outs, quiet hours, time zone, phone.",
        subcommands: [Show.self, Set.self]
    )

    /// What `contact show` prints.
    struct View: Encodable {
        var id: String
        var phone: String?
        var name: String?
        var language: String?
        var languageSource: String
        var timeZone: String?
        var timeZoneSource: String
        var region: String?
        var optedOutAll: Bool
        var optedOutCategories: [String]
        /// The window in force, or `off`.
        var quietHours: String?
        var quietHoursSource: String
        var recentEvents: [String]
        /// What the change did to the messages waiting for the contact (`contact set` only).
        var waiting: ConsentChanges?

        init(_ c: Contact, config: PolicyConfig, showPhone: Bool, events: [String]) {
            let view = PreferencesView(c, config: config, catalog: nil)
            id = c.id
            phone = c.phone.map { showPhone ? $0 : PhoneNumber.mask(e164: $0) }
            name = c.name
            (language, languageSource) = (view.language, view.languageSource)
            (timeZone, timeZoneSource) = (view.timeZone, view.timeZoneSource)
            region = c.region
            optedOutAll = c.optedOutAll
            optedOutCategories = c.optedOutCategories
            (quietHours, quietHoursSource) = (view.quietHours, view.quietHoursSource)
            recentEvents = events
        }

        var text: String {
            var out = "contact \(id)\n"
            out += "  phone:       \(phone ?? "none")\n"
            if let name { out += "  name:        \(name)\n" }
            out += "  language:    \(language ?? "none") (\(PreferencesView.words(languageSource)))\n"
            out += "  time zone:   \(timeZone ?? "none") (\(PreferencesView.words(timeZoneSource)))\n"
            if let region { out += "  region:      \(region)\n" }
            out += "  opted out:   \(optedOutAll ? "everything" : optedOutCategories.isEmpty ? "nothing" : optedOutCategories.joined(separator: ", "))\n"
            out += "  quiet hours: \(quietHours ?? "off") (\(PreferencesView.words(quietHoursSource)))\n"
            if !recentEvents.isEmpty { out += "  events:      \(recentEvents.joined(separator: ", "))\n" }
            if let w = waiting, w != ConsentChanges() {
                let parts = [(w.cancelled, "cancelled"), (w.deferred, "deferred by quiet hours"), (w.released, "due sooner"),
                             (w.expired, "expired")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
                out += "  waiting:     \(parts.joined(separator: ", "))\n"
            }
            return out
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a contact and what it chose.")

        @Argument(help: "The contact id (the person's id in events).")
        var id: String
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Show the full phone number instead of a masked one.") var showPhone = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var policy: PolicyOptions

        func run() async throws {
            let store = try await storeOptions.open()
            guard let contact = try await store.contact(id: id) else { throw Self.fail("no contact '\(id)' in \(store.location)") }
            let view = View(contact, config: try policy.config(), showPhone: showPhone, events: try await store.events(forContact: id))
            if json { try printJSON(view) } else { print(view.text, terminator: "") }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change what a contact chose (creating the contact when unknown).",
            discussion: """
                What is set here is the person's own choice: an event's language or time zone never replaces it.
                Example:
                  herald contact set u-17 --language am --opt-out billing --quiet-hours 22:00-07:00
                """
        )

        @Argument(help: "The contact id.")
        var id: String
        @Option(help: "Preferred language (BCP 47: fr, en, am); 'default' to forget the choice.")
        var language: String?
        @Option(help: "IANA time zone, e.g. Africa/Tunis; 'default' to forget the choice.")
        var timeZone: String?
        @Option(help: "Phone number, in any form libphonenumber reads (0911234567, +216 20 123 456, 251911234567).")
        var phone: String?
        @Option(help: "Region of the phone number when written without a country code (ET, TN).")
        var region: String?
        @Option(help: "Opt out of a category (repeatable), or 'all' for everything.")
        var optOut: [String] = []
        @Option(help: "Opt back in to a category (repeatable), or 'all' to clear every opt-out.")
        var optIn: [String] = []
        @Option(help: "Quiet hours as local START-END (21:00-08:00), 'off', or 'default'.")
        var quietHours: String?
        @Option(help: "Display name.") var name: String?
        @Option(help: "Region of phone numbers without a country code when the contact has none (default: $HERALD_DEFAULT_REGION, else ET).")
        var defaultRegion: String?
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Show the full phone number instead of a masked one.") var showPhone = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var clock: ClockOptions
        @OptionGroup var catalogOptions: CatalogOptions

        func run() async throws {
            let config = try PolicyOptions.config(defaultRegion: defaultRegion)
            let catalog = catalogOptions.load()
            var change = PreferenceChange()
            change.language = language.map { $0 == "default" ? .reset : .set($0) } ?? .keep
            change.timeZone = timeZone.map { $0 == "default" ? .reset : .set($0) } ?? .keep
            change.quietHours = quietHours.map { $0 == "default" ? .reset : .set($0) } ?? .keep
            change.region = region
            change.name = name
            if optIn.contains("all") { (change.optedOutAll, change.optedOutCategories) = (false, .reset) }
            if optOut.contains("all") { change.optedOutAll = true }
            change.optIn = optIn.filter { $0 != "all" }
            change.optOut = optOut.filter { $0 != "all" }
            // Every value is checked before anything is written.
            if let problem = change.problems(catalog: catalog).first {
                let flag: String? = switch problem.field {
                case .language: "--language"
                case .timeZone: "--time-zone"
                case .region: "--region"
                case .quietHours: "--quiet-hours"
                case .category: nil
                }
                throw Self.fail(flag.map { "\($0): \(problem.text)" } ?? problem.text)
            }
            let store = try await storeOptions.open()
            let existing = try await store.contact(id: id)
            var number: PhoneNumber?
            if let phone {
                let region = (region ?? existing?.region ?? config.defaultRegion).uppercased()
                do { number = try PhoneNumber.parse(phone, region: region) } catch {
                    throw Self.fail("--phone: \(error) (region \(region))")
                }
            }
            change.phone = number?.e164
            let parsedPhone = number
            let (contact, changes) = try await store.updateContact(id: id, now: try clock.clock(), policy: config, source: "herald contact set") { [change] in change.apply(to: &$0) }
            if let parsedPhone, !parsedPhone.isValidPerMetadata {
                FileHandle.standardError.write(Data("warning: \(parsedPhone.masked) is possible but not valid per libphonenumber's metadata; messages will still be sent\n".utf8))
            }
            var view = View(contact, config: config, showPhone: showPhone, events: [])
            view.waiting = changes
            if json { try printJSON(view) } else { print(view.text, terminator: "") }
        }
    }
}

