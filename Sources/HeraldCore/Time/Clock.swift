import HeraldICU

/// Wall-clock arithmetic on local milliseconds (epoch ms shifted by the zone's offset).
public enum Clock {
    static let day: Int64 = 86_400_000

    /// When the quiet window containing the instant ends, or nil when the instant is outside it.
    public static func quietEnd(at instant: Int64, zone: Zone, window: QuietHours) -> Int64? {
        let local = zone.local(instant)
        let dayStart = floorDiv(local, day) * day
        let minute = Int((local - dayStart) / 60_000)
        guard window.contains(minuteOfDay: minute) else { return nil }
        var end = dayStart + Int64(window.end) * 60_000
        if minute >= window.end { end += day }
        return zone.instant(local: end)
    }

    /// `2026-11-23 21:05 Mon` for local milliseconds.
    public static func localText(_ local: Int64) -> String {
        let iso = Renderer.iso8601(ms: Double(local))
        let days = floorDiv(local, day)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        return "\(iso.prefix(10)) \(iso.dropFirst(11).prefix(5)) \(weekday)"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
