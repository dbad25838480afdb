import CICUShim
import Synchronization

/// An IANA time zone opened once in ICU, for converting instants to wall-clock times and back.
/// Immutable and shared; `Zone.named` keeps one per id for the life of the process.
public final class Zone: Sendable {
    public let identifier: String
    private nonisolated(unsafe) let handle: OpaquePointer

    private static let opened = Mutex<[String: Zone]>([:])

    /// The zone for an IANA id (canonical or alias), or nil when ICU does not know it.
    public static func named(_ identifier: String) -> Zone? {
        if let zone = opened.withLock({ $0[identifier] }) { return zone }
        guard let handle = hr_zone_open(identifier) else { return nil }
        let zone = Zone(identifier: identifier, handle: handle)
        return opened.withLock { cache in
            if let raced = cache[identifier] { return raced }
            cache[identifier] = zone
            return zone
        }
    }

    private init(identifier: String, handle: OpaquePointer) {
        self.identifier = identifier
        self.handle = handle
    }

    deinit { hr_zone_close(handle) }

    /// The UTC offset in milliseconds at an instant.
    public func offset(atEpochMilliseconds ms: Int64) -> Int64 {
        Int64(hr_zone_offset_ms(handle, Double(ms)))
    }

    /// The wall-clock time at an instant, as milliseconds since 1970-01-01T00:00 local.
    public func local(_ ms: Int64) -> Int64 { ms + offset(atEpochMilliseconds: ms) }

    /// The instant of a wall-clock time given as milliseconds since 1970-01-01T00:00 local. A time skipped by a
    /// DST change (02:30 on a spring-forward night) maps to the instant it would have had before the change,
    /// which is that many minutes after the jump.
    public func instant(local ms: Int64) -> Int64 {
        ms - Int64(hr_zone_offset_local_ms(handle, Double(ms)))
    }
}
