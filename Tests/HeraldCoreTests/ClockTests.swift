import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Only `SystemClock` reads the system's time: the engine, the CLI and the server are handed a time.
@Suite struct ClockTests {
    /// Calls that read the date from the system. Durations come from `ContinuousClock`/`Stopwatch` instead.
    static let wallClockReads = [
        "Date()", "Date.now", "Date(timeIntervalSinceNow", ".timeIntervalSinceNow", "CFAbsoluteTimeGetCurrent",
        "gettimeofday", "CLOCK_REALTIME", "DispatchWallTime", "time(nil)", "time(NULL)", "getNow(", "std::chrono::system_clock",
        "TimeZone.current", "Calendar.current", "Locale.current",
    ]

    @Test func onlySystemClockReadsTheSystemsTime() throws {
        let sources = TestPaths.packageRoot.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var found: [String] = []
        var scanned = 0
        for case let url as URL in files where ["swift", "cpp", "c", "h"].contains(url.pathExtension) {
            scanned += 1
            if url.lastPathComponent == "SystemClock.swift" { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for call in Self.wallClockReads where code.contains(call) {
                    found.append("\(url.path.replacingOccurrences(of: sources.path + "/", with: "")):\(number + 1): \(call)")
                }
            }
        }
        #expect(scanned > 50)
        #expect(found.isEmpty, "read the time through SystemClock.now() or take it as an input:\n\(found.joined(separator: "\n"))")
    }

    @Test(arguments: [
        ("400d", Int64(400 * 86_400_000)), ("-30d", Int64(-30 * 86_400_000)), ("+12h", Int64(12 * 3_600_000)),
        ("1d6h", Int64(30 * 3_600_000)), ("90s", Int64(90_000)),
    ])
    func offsetsAreSignedDurations(text: String, milliseconds: Int64) {
        #expect(SystemClock.parseOffset(text) == milliseconds)
    }

    @Test(arguments: ["", "400", "d", "4 days", "--3d", "1y"])
    func malformedOffsetsAreRefused(text: String) {
        #expect(SystemClock.parseOffset(text) == nil)
    }

    /// The clock honours the offset the suite runs under (CI runs it a second time 400 days ahead).
    @Test func theClockIsMovedByTheTestOffset() {
        let real = Int64(Date().timeIntervalSince1970 * 1000)
        let moved = SystemClock.now()
        #expect(abs(moved - real - SystemClock.offsetMilliseconds) < 5_000)
    }

    /// One time type: epoch milliseconds inside, ISO 8601 in UTC on the wire, read back from any offset.
    @Test func anInstantHasOneWireFormAndReadsAnyOffset() throws {
        let instant = try #require(Instant(iso8601: "2026-11-23T12:30:00+02:00"))
        #expect(instant.ms == 1_795_429_800_000)
        #expect(instant.iso8601 == "2026-11-23T10:30:00Z")
        #expect(String(decoding: try JSONEncoder().encode([instant]), as: UTF8.self) == #"["2026-11-23T10:30:00Z"]"#)
        #expect(try JSONDecoder().decode([Instant].self, from: Data(#"["2026-11-23T10:30:00Z", 1795429800000]"#.utf8)) == [instant, instant])
        #expect(Instant(iso8601: "2026-11-23T10:30:00") == nil, "a local time without an offset is no instant")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Instant].self, from: Data(#"["yesterday"]"#.utf8)) }
        #expect(Instant(ms: 1) < instant)
    }
}
