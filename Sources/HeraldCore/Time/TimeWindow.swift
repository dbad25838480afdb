/// A span of time to look at: `since` (inclusive) and `until` (exclusive), each an ISO 8601 date-time with an
/// offset or a duration back from now (`24h`, `7d`). Read once here for every listing: the CLI's `--since` and
/// `--until`, the API's `?since=` and `?until=`.
public struct TimeWindow: Sendable, Equatable {
    /// Epoch milliseconds; nil for no bound.
    public var since: Int64?
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    /// Why a bound was refused: which one (`since` or `until`) and the reason.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var text: String
        public var description: String { text }
    }

    /// Reads both bounds at `now`.
    public init(since: String?, until: String?, now: Int64) throws(Problem) {
        func read(_ text: String?, _ field: String) throws(Problem) -> Int64? {
            guard let text else { return nil }
            guard let instant = ParameterValue.instant(text, now: now) else {
                throw Problem(
                    field: field,
                    text: "'\(text)' is neither an ISO 8601 date-time with an offset nor a duration back from now (24h, 7d)")
            }
            return instant
        }
        self.since = try read(since, "since")
        self.until = try read(until, "until")
        if let from = self.since, let to = self.until, from >= to {
            throw Problem(field: "until", text: "the window ends (until) before it begins (since)")
        }
    }

    public func contains(_ instant: Int64) -> Bool {
        (since.map { instant >= $0 } ?? true) && (until.map { instant < $0 } ?? true)
    }
}
