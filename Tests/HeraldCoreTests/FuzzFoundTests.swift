import Foundation
import HeraldCore
import Testing

/// Inputs the fuzzers (Tests/Fuzz) found, kept as tests.
struct FuzzFoundTests {
    /// `4600000000000000000d3-d` as a duration (a `?since=` of the API, a template's ttl) overflowed and trapped.
    @Test func anEnormousDurationIsMalformedNotACrash() {
        #expect(DurationText.seconds("46000000000000000000d3-d") == nil)
        #expect(DurationText.seconds("4600000000000000d") == nil)
        #expect(DurationText.seconds("9223372036854775807s1s") == nil)
        #expect(ParameterValue.instant("4600000000000000d", now: 1_795_000_000_000) == nil)
        #expect(DurationText.seconds("36500d") == 36500 * 86400)
        #expect(DurationText.seconds("7d12h") == 7 * 86400 + 12 * 3600)
    }
}
