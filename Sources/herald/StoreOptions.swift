import ArgumentParser
import Foundation
import HeraldCore
import HeraldPostgres
import HeraldStore

/// The database: `--db`, then `HERALD_DATABASE_URL`, then `HERALD_DB`, then `herald.sqlite` in the current
/// directory. A `postgres://` URL opens PostgreSQL (many Herald processes on one database); anything else is a
/// SQLite file.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "SQLite file, or postgres://user@host:port/database (default: $HERALD_DATABASE_URL, $HERALD_DB, else ./herald.sqlite).",
            valueName: "file-or-url"))
    var db: String?

    var path: String {
        let env = ProcessInfo.processInfo.environment
        return db ?? env["HERALD_DATABASE_URL"] ?? env["HERALD_DB"] ?? "herald.sqlite"
    }

    var isPostgres: Bool { PostgresSettings.isURL(path) }

    /// The store; `bulk` for commands that write batch after batch (see `SQLiteStore.init(path:bulk:)`).
    func open(bulk: Bool = false) async throws -> any Storage {
        if isPostgres {
            do { return try await PostgresStore.open(PostgresSettings(url: path)) } catch {
                throw Herald.fail("cannot open database: \(error)")
            }
        }
        do { return try SQLiteStore(path: path, bulk: bulk) } catch {
            throw Herald.fail("cannot open database \(path): \(error)")
        }
    }
}

/// The options of every command that plans messages (`event`, `campaign`, `send`, `serve`): the database, the
/// deployment's policy, the clock and the catalog.
struct EngineOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var catalog: CatalogOptions
}

/// The deployment's policy defaults and the clock, from flags, then `HERALD_*` variables.
struct PolicyOptions: ParsableArguments {
    @Option(help: "Language of people with none known (default: $HERALD_DEFAULT_LANGUAGE, else en).")
    var defaultLanguage: String?

    @Option(help: "Time zone of people with none known (default: $HERALD_DEFAULT_TIME_ZONE, else Africa/Addis_Ababa).")
    var defaultTimeZone: String?

    @Option(help: "Region of phone numbers without a country code (default: $HERALD_DEFAULT_REGION, else ET).")
    var defaultRegion: String?

    @Option(help: "Quiet hours of people who set none, e.g. 21:00-08:00, or off (default: $HERALD_QUIET_HOURS, else 21:00-08:00).")
    var quietHours: String?

    @Option(help: "Per-person limit, COUNT/WINDOW, e.g. 10/1h, or off (default: $HERALD_RATE_LIMIT, else 10/1h).")
    var rateLimit: String?

    func config() throws -> PolicyConfig {
        try Self.config(
            defaultLanguage: defaultLanguage, defaultTimeZone: defaultTimeZone, defaultRegion: defaultRegion,
            quietHours: quietHours, rateLimit: rateLimit)
    }

    static func config(
        defaultLanguage: String? = nil, defaultTimeZone: String? = nil, defaultRegion: String? = nil,
        quietHours: String? = nil, rateLimit: String? = nil
    ) throws -> PolicyConfig {
        let env = ProcessInfo.processInfo.environment
        var config = PolicyConfig()
        if let language = defaultLanguage ?? env["HERALD_DEFAULT_LANGUAGE"] {
            if let problem = ValueCheck.language(language) { throw Herald.fail("default language: \(problem)") }
            config.defaultLanguage = language
        }
        if let zone = defaultTimeZone ?? env["HERALD_DEFAULT_TIME_ZONE"] {
            if let problem = ValueCheck.timeZone(zone) { throw Herald.fail("default time zone: \(problem)") }
            config.defaultTimeZone = zone
        }
        if let region = defaultRegion ?? env["HERALD_DEFAULT_REGION"] {
            if let problem = ValueCheck.region(region) { throw Herald.fail("default region: \(problem)") }
            config.defaultRegion = region.uppercased()
        }
        if let text = quietHours ?? env["HERALD_QUIET_HOURS"] {
            if text == "off" { config.quietHours = nil } else {
                guard let window = QuietHours(text) else {
                    throw Herald.fail("quiet hours '\(text)' are not START-END local times, e.g. 21:00-08:00, or off")
                }
                config.quietHours = window
            }
        }
        if let text = rateLimit ?? env["HERALD_RATE_LIMIT"] {
            if text == "off" { config.rateLimit = nil } else {
                guard let limit = RateLimit(text) else {
                    throw Herald.fail("rate limit '\(text)' is not COUNT/WINDOW, e.g. 10/1h, or off")
                }
                config.rateLimit = limit
            }
        }
        return config
    }

}

/// The clock: `--now`, then `HERALD_NOW`, then the system's.
struct ClockOptions: ParsableArguments {
    @Option(help: "The time to act at, ISO 8601 with offset (default: $HERALD_NOW, else the system clock).")
    var now: String?

    /// True when the time is given (`--now` or `HERALD_NOW`): it then stays still.
    var isFixed: Bool { now != nil || ProcessInfo.processInfo.environment["HERALD_NOW"] != nil }

    /// The time for long-running work (the worker): the fixed time, or the system clock read at each call.
    func source() throws -> @Sendable () -> Int64 {
        if isFixed {
            let fixed = try clock()
            return { fixed }
        }
        return { SystemClock.now() }
    }

    /// Epoch milliseconds of now: the flag, `HERALD_NOW`, or `SystemClock` (the only reader of the system's time).
    func clock() throws -> Int64 {
        guard let text = now ?? ProcessInfo.processInfo.environment["HERALD_NOW"] else {
            return SystemClock.now()
        }
        return try Self.instant(text)
    }

    /// Epoch milliseconds of an ISO 8601 date-time with Z or an offset, or a clear error.
    static func instant(_ text: String, flag: String = "--now") throws -> Int64 {
        guard ParameterValue.hasOffset(text), let ms = ParameterValue.epochMilliseconds(text, timeZone: "UTC")
        else {
            throw Herald.fail("\(flag) '\(text)' is not an ISO 8601 date-time with Z or an offset")
        }
        return Int64(ms)
    }
}

/// `--since` and `--until` of every listing (`messages`, `stats`, `explain --contact`), read by `TimeWindow`.
struct WindowOptions: ParsableArguments {
    @Option(help: "From this time: ISO 8601 with an offset, or a duration back from now (24h, 7d).")
    var since: String?

    @Option(help: "Before this time: ISO 8601 with an offset, or a duration back from now.")
    var until: String?

    /// The window at `now`, or the error of the bound that is wrong.
    func window(now: Int64) throws -> TimeWindow {
        do { return try TimeWindow(since: since, until: until, now: now) } catch {
            throw Herald.fail("--\(error.field): \(error.text)")
        }
    }
}

/// Refuses to work on a catalog that `herald check` finds errors in (a plural without `other`, a message over its
/// budget, a swallowed argument…), naming each: what the check refuses is never served.
func loadCatalog(_ options: CatalogOptions) throws -> Catalog {
    let catalog = options.load()
    let errors = catalog.check().diagnostics.filter { $0.severity == .error }
    guard errors.isEmpty else {
        for diagnostic in errors {
            FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
        }
        throw Herald.fail("the catalog has \(errors.count) error\(errors.count == 1 ? "" : "s") (above); fix them and run herald check")
    }
    return catalog
}

/// A line for people: `send to +251 9•• ••• •67 in am, 1 segment`.
func describe(_ d: Decision) -> String {
    var out = "\(d.contact) (\(d.audience), \(d.template)): \(d.action.rawValue)"
    if let reason = d.reason { out += " \(reason.rawValue)" }
    out += ": \(d.detail)"
    if let id = d.messageID { out += " [message \(id)]" }
    return out
}
