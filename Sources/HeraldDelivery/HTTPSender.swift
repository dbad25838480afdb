import AsyncHTTPClient
import Foundation
import HeraldCore
import NIOCore
import NIOHTTP1

/// How to talk to a generic HTTP SMS provider.
public struct HTTPSenderConfig: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable { case get = "GET", post = "POST" }
    public enum Body: String, Sendable, CaseIterable { case json, form }
    public enum NumberFormat: String, Sendable, CaseIterable {
        /// `+251911234567`
        case e164
        /// `251911234567`, the form some providers want.
        case digits
    }

    /// The provider's URL. `{to}`, `{text}`, `{from}` and `{id}` are replaced, URL-encoded. A GET URL with none of
    /// them gets `to`, `text` and `from` appended as query parameters (`https://sms.example/api/send?`).
    public var url: String
    public var method: Method
    /// POST body: JSON object or form fields `to`, `text`, `from`, `reference` (renamed by `fields`).
    public var body: Body
    /// Renames of body or query fields, e.g. `["to": "msisdn", "text": "message"]`.
    public var fields: [String: String]
    public var from: String?
    public var apiKey: String?
    /// The header carrying the key; `Authorization` sends `Bearer KEY`.
    public var apiKeyHeader: String
    public var numberFormat: NumberFormat
    /// Seconds for the whole request.
    public var timeout: Double
    /// Where the provider's message id is in a JSON answer (`id`, `data.message_id`); nil to not read one.
    public var idPath: String?
    /// The idempotency header (the value is `herald-<database instance>-<message id>`).
    public var idempotencyHeader: String

    public init(
        url: String, method: Method = .get, body: Body = .json, fields: [String: String] = [:], from: String? = nil,
        apiKey: String? = nil, apiKeyHeader: String = "Authorization", numberFormat: NumberFormat = .e164,
        timeout: Double = 10, idPath: String? = nil, idempotencyHeader: String = "Idempotency-Key"
    ) {
        self.url = url
        self.method = method
        self.body = body
        self.fields = fields
        self.from = from
        self.apiKey = apiKey
        self.apiKeyHeader = apiKeyHeader
        self.numberFormat = numberFormat
        self.timeout = timeout
        self.idPath = idPath
        self.idempotencyHeader = idempotencyHeader
    }

    static let placeholders = ["{to}", "{text}", "{from}", "{id}"]

    /// What is wrong with it, or nil.
    public func problem() -> String? {
        guard let parsed = URL(string: url.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
            let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https", parsed.host != nil
        else { return "the SMS URL '\(url)' is not an http(s) URL" }
        if timeout <= 0 { return "the timeout must be more than 0 seconds" }
        return nil
    }
}

/// Sends through a provider's HTTP API with AsyncHTTPClient: GET with the message in the URL, or POST with a JSON or
/// form body; the API key and an idempotency key in headers.
public final class HTTPSender: Sender {
    public let name = "http"
    public let config: HTTPSenderConfig
    let client: HTTPClient

    /// `connections`: how many requests may be open to the provider at once.
    public init(config: HTTPSenderConfig, connections: Int = 16) {
        self.config = config
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(config.timeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections)))
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    func fieldName(_ field: String) -> String { config.fields[field] ?? field }

    func number(_ e164: String) -> String {
        config.numberFormat == .digits && e164.hasPrefix("+") ? String(e164.dropFirst()) : e164
    }

    /// The request for an SMS.
    func request(for sms: OutgoingSMS) -> HTTPClientRequest {
        let values: [(String, String)] = [
            ("to", number(sms.to)), ("text", sms.text), ("from", config.from ?? ""), ("id", sms.idempotencyKey),
        ]
        var url = config.url
        let templated = HTTPSenderConfig.placeholders.contains { url.contains($0) }
        for (key, value) in values { url = url.replacingOccurrences(of: "{\(key)}", with: Self.encode(value)) }
        var fields: [(String, String)] = [(fieldName("to"), number(sms.to)), (fieldName("text"), sms.text)]
        if let from = config.from { fields.append((fieldName("from"), from)) }
        fields.append((fieldName("reference"), sms.idempotencyKey))

        var request: HTTPClientRequest
        switch config.method {
        case .get:
            if !templated {
                let query = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
                let joiner = url.hasSuffix("?") || url.hasSuffix("&") ? "" : (url.contains("?") ? "&" : "?")
                url += joiner + query
            }
            request = HTTPClientRequest(url: url)
            request.method = .GET
        case .post:
            request = HTTPClientRequest(url: url)
            request.method = .POST
            switch config.body {
            case .json:
                let object = JSONValue.object(Dictionary(fields.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { $1 }))
                request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                request.body = .bytes(ByteBuffer(string: object.serialized))
            case .form:
                let form = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
                request.body = .bytes(ByteBuffer(string: form))
            }
        }
        request.headers.add(name: config.idempotencyHeader, value: sms.idempotencyKey)
        if let key = config.apiKey, !key.isEmpty {
            let isAuthorization = config.apiKeyHeader.lowercased() == "authorization"
            request.headers.add(name: config.apiKeyHeader, value: isAuthorization ? "Bearer \(key)" : key)
        }
        request.headers.add(name: "User-Agent", value: "herald")
        return request
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986), so `+`, `&` and `=` survive in a query.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public func send(_ sms: OutgoingSMS) async -> SendResult {
        let response: HTTPClientResponse
        let deadline = ContinuousClock.now + .milliseconds(Int64(config.timeout * 1000))
        do {
            response = try await client.execute(request(for: sms), timeout: .milliseconds(Int64(config.timeout * 1000)))
        } catch {
            return .transient(error: Self.describe(error, timeout: config.timeout), httpStatus: nil, retryAfter: nil)
        }
        let status = Int(response.status.code)
        // What is needed of the body is its start (an id, an error): the first 64 KiB are kept and the rest is read
        // and dropped, so a large answer never turns an accepted message into a failure. The timeout covers the
        // body too: a provider that trickles its answer (slow-loris) holds a send no longer than any other.
        let (body, unread) = await Self.read(response.body, until: deadline, timeout: config.timeout)
        if let unread, !(200..<300).contains(status) {
            return .transient(error: "HTTP \(status), body unreadable: \(unread)", httpStatus: status, retryAfter: nil)
        }
        let text = String(buffer: body)
        let excerpt = Self.excerpt(text, sms: sms)
        switch status {
        case 200..<300:
            guard let path = config.idPath else { return .accepted(providerID: nil, httpStatus: status, note: nil) }
            guard let json = try? JSONValue.parse(Array(text.utf8)) else {
                return .accepted(providerID: nil, httpStatus: status,
                                 note: "accepted (HTTP \(status)) but the body is not JSON, so no provider id at '\(path)': \(excerpt)")
            }
            guard let id = json[path: path]?.text, !id.isEmpty else {
                return .accepted(providerID: nil, httpStatus: status, note: "accepted (HTTP \(status)) but no provider id at '\(path)' in \(excerpt)")
            }
            return .accepted(providerID: id, httpStatus: status, note: nil)
        case 429, 503:
            // Rate limited or briefly unavailable: a Retry-After says when to come back (never sooner than the backoff).
            let after = response.headers.first(name: "Retry-After").flatMap { Self.retryAfter($0) }
            let what = status == 429 ? "rate limited" : "unavailable"
            return .transient(error: "HTTP \(status) \(what)\(after.map { " (Retry-After \(Int($0))s)" } ?? ""): \(excerpt)",
                              httpStatus: status, retryAfter: after)
        case 408, 500...:
            return .transient(error: "HTTP \(status): \(excerpt)", httpStatus: status, retryAfter: nil)
        default:
            return .permanent(error: "HTTP \(status): \(excerpt)", httpStatus: status)
        }
    }

    static let bodyKept = 65_536

    /// The start of a response body, read until `deadline`; why it could not be read whole, if so.
    static func read(_ body: HTTPClientResponse.Body, until deadline: ContinuousClock.Instant, timeout: Double) async
        -> (ByteBuffer, String?)
    {
        let kept = Locked(ByteBuffer())
        let outcome: String?? = await withTaskGroup(of: String??.self) { group in
            group.addTask {
                do {
                    for try await var chunk in body {
                        kept.update { if $0.readableBytes < bodyKept { $0.writeBuffer(&chunk) } }
                    }
                    return .some(nil)
                } catch {
                    return .some(describe(error, timeout: timeout))
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .some(let error): return (kept.value, error)
        case .none: return (kept.value, "the answer's body did not arrive within \(Int(timeout)) s")
        }
    }

    /// A bounded excerpt of a provider's answer for logs and the message's `lastError`: one line, at most 200
    /// characters, the message's text left out and phone numbers masked.
    static func excerpt(_ text: String, sms: OutgoingSMS? = nil) -> String {
        var flat = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        if flat.isEmpty { return "(empty body)" }
        if flat.count > 400 { flat = String(flat.prefix(400)) }
        if let sms, !sms.text.isEmpty { flat = flat.replacingOccurrences(of: sms.text, with: "(the message)") }
        flat = PhoneNumber.maskNumbers(in: flat)
        return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
    }

    /// Seconds from `Retry-After`: a number of seconds or an HTTP date (measured against the system clock, as the
    /// provider meant it; `now` is for tests).
    static func retryAfter(_ value: String, now: Int64 = SystemClock.now()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince1970 - Double(now) / 1000)
    }

    static func describe(_ error: any Error, timeout: Double) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out after \(timeout)s"
            case .connectTimeout: return "connection timed out after \(timeout)s"
            case .remoteConnectionClosed: return "the provider closed the connection"
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return "connection refused"
        }
        return text
    }
}
