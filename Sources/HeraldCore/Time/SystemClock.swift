import Foundation

/// The wall clock. This is the only place Herald reads the system's time: the CLI's and the server's default
/// `now` come from here, and everything else is handed a time (`--now`, a clock closure). Durations are measured
/// with the monotonic `ContinuousClock`, which never tells the date.
///
/// For tests, `HERALD_TEST_CLOCK_OFFSET` (`400d`, `-30d`, `12h`, `1d6h`) moves this clock by a fixed amount, so a
/// whole suite can be run a year ahead; a loud warning goes to standard error the first time it is read.
public enum SystemClock {
    /// Epoch milliseconds now, moved by `HERALD_TEST_CLOCK_OFFSET` when it is set.
    public static func now() -> Int64 {
        let real = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        return real + offset.milliseconds
    }

    /// The offset in force (zero when `HERALD_TEST_CLOCK_OFFSET` is not set).
    public static var offsetMilliseconds: Int64 { offset.milliseconds }

    /// Reads `HERALD_TEST_CLOCK_OFFSET` once. A malformed value stops the process: a test run on the wrong clock
    /// would prove nothing.
    private static let offset: (milliseconds: Int64, text: String?) = {
        guard let text = ProcessInfo.processInfo.environment["HERALD_TEST_CLOCK_OFFSET"],
            !text.trimmingCharacters(in: .whitespaces).isEmpty
        else { return (0, nil) }
        guard let ms = parseOffset(text) else {
            FileHandle.standardError.write(Data(
                "herald: HERALD_TEST_CLOCK_OFFSET '\(text)' is not a signed duration such as 400d, -30d, 12h or 1d6h\n".utf8))
            exit(2)
        }
        FileHandle.standardError.write(Data(
            "WARNING: HERALD_TEST_CLOCK_OFFSET=\(text): the system clock is moved by \(text) (for tests only)\n".utf8))
        return (ms, text)
    }()

    /// `400d`, `-30d`, `+12h`, `1d6h30m`: milliseconds, or nil when malformed.
    public static func parseOffset(_ text: String) -> Int64? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign: Int64 = 1
        if body.first == "-" { sign = -1; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        guard let seconds = Duration.seconds(parsing: String(body)) else { return nil }
        return sign * Int64(seconds) * 1000
    }
}

/// Time elapsed on the monotonic clock since it was made: for progress lines and figures, never for dates.
public struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    public init() {}

    /// Seconds since the stopwatch was made.
    public var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
