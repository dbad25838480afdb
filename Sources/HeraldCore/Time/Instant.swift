/// A moment in time, held as epoch milliseconds (`ms`) and shown as ISO 8601 in UTC
/// (`2026-11-23T10:00:00Z`, with `.SSS` when it has milliseconds). Its JSON form is the ISO 8601 text; reading
/// accepts that text with any offset, or epoch milliseconds.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }

    /// The instant of an ISO 8601 date-time with Z or an offset, or of epoch milliseconds; nil otherwise.
    public init?(iso8601 text: String) {
        guard ParameterValue.hasOffset(text) || text.allSatisfy(\.isNumber),
            let ms = ParameterValue.epochMilliseconds(text, timeZone: "UTC")
        else { return nil }
        self.ms = Int64(ms)
    }

    public var iso8601: String { Renderer.iso8601(ms: Double(ms)) }
    public var description: String { iso8601 }

    public static func < (a: Instant, b: Instant) -> Bool { a.ms < b.ms }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let ms = try? container.decode(Int64.self) {
            self.ms = ms
            return
        }
        let text = try container.decode(String.self)
        guard let instant = Instant(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO 8601 date-time with Z or an offset")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}
