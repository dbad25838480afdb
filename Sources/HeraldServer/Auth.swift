import Crypto
import Foundation

/// What a key may do. `admin` may do everything.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Posts events, renders, runs campaigns, issues customer tokens, posts inbound SMS and delivery reports.
    case backend
    /// Reads messages, resends, reads statistics and metrics.
    case staff
    /// Reads templates, checks template and locale files, previews renders.
    case author
    /// An SMS provider's webhooks: inbound SMS and delivery reports only.
    case provider
    case admin
}

/// An API key as configured: its name, role and salted SHA-256 hash. The key itself is never stored.
public struct APIKey: Sendable, Equatable {
    public var name: String
    public var role: Role
    let salt: [UInt8]
    let hash: [UInt8]

    /// The configuration line of a key: `NAME ROLE sha256:SALT:HASH` (hex).
    public var line: String { "\(name) \(role.rawValue) sha256:\(hex(salt)):\(hex(hash))" }

    /// Reads `NAME ROLE sha256:SALT:HASH` (spaces, or colons between NAME and ROLE in an environment variable).
    public static func parse(_ text: String) throws -> APIKey {
        var parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if parts.count == 1 {
            // NAME:ROLE:sha256:SALT:HASH
            let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { throw KeyError("'\(text.prefix(40))' is not NAME ROLE sha256:SALT:HASH") }
            parts = [fields[0], fields[1], fields[2...].joined(separator: ":")]
        }
        guard parts.count == 3 else { throw KeyError("'\(text.prefix(40))' is not NAME ROLE sha256:SALT:HASH") }
        guard let role = Role(rawValue: parts[1]) else {
            throw KeyError("key '\(parts[0])': role '\(parts[1])' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let fields = parts[2].split(separator: ":").map(String.init)
        guard fields.count == 3, fields[0] == "sha256", let salt = unhex(fields[1]), let hash = unhex(fields[2]),
            salt.count >= 8, hash.count == 32
        else {
            throw KeyError("key '\(parts[0])': the hash is not sha256:SALT:HASH in hex (make one with herald keys new)")
        }
        return APIKey(name: parts[0], role: role, salt: salt, hash: hash)
    }

    /// A new random key and its configuration.
    public static func make(name: String, role: Role) -> (secret: String, key: APIKey) {
        let secret = "hk_" + hex(random(24))
        let salt = random(16)
        return (secret, APIKey(name: name, role: role, salt: salt, hash: digest(salt: salt, secret: secret)))
    }

    static func digest(salt: [UInt8], secret: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(secret.utf8))
        return Array(hasher.finalize())
    }

    /// Whether `secret` is this key, compared in constant time.
    func matches(_ secret: String) -> Bool {
        constantTimeEqual(Self.digest(salt: salt, secret: secret), hash)
    }
}

/// The configured keys.
public struct Keyring: Sendable {
    public var keys: [APIKey]

    public init(_ keys: [APIKey]) { self.keys = keys }

    /// Reads a keys file: one key a line, `#` comments and blank lines ignored.
    public static func read(file: String) throws -> Keyring {
        guard let data = FileManager.default.contents(atPath: file) else { throw KeyError("cannot read keys file \(file)") }
        var keys: [APIKey] = []
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do { keys.append(try APIKey.parse(trimmed)) } catch { throw KeyError("\(file):\(index + 1): \(error)") }
        }
        return Keyring(keys)
    }

    /// Reads `HERALD_API_KEYS`: keys separated by commas, each `NAME:ROLE:sha256:SALT:HASH`.
    public static func parse(list: String) throws -> Keyring {
        Keyring(try list.split(separator: ",").map { try APIKey.parse(String($0).trimmingCharacters(in: .whitespaces)) })
    }

    /// The key `secret` is, if any. Every key is tried, so the time taken does not tell which matched.
    public func authenticate(_ secret: String) -> APIKey? {
        var found: APIKey?
        for key in keys where key.matches(secret) && found == nil { found = key }
        return found
    }
}

/// A customer's own token: lets one contact read and change its own preferences until it expires.
/// `hct_<base64url payload>.<base64url HMAC-SHA256>`, the payload `{"c": contact, "e": expiry epoch seconds}`.
public struct CustomerTokens: Sendable {
    let key: SymmetricKey

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    public func issue(contact: String, expires: Int64) -> String {
        let payload = try! JSONSerialization.data(withJSONObject: ["c": contact, "e": expires], options: [.sortedKeys])
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return "hct_" + base64url(payload) + "." + base64url(Data(mac))
    }

    /// The contact a token is for, or why it is refused.
    public func verify(_ token: String, now: Int64) -> Result<String, KeyError> {
        guard token.hasPrefix("hct_") else { return .failure(KeyError("not a customer token")) }
        let parts = token.dropFirst(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = unbase64url(String(parts[0])), let mac = unbase64url(String(parts[1])) else {
            return .failure(KeyError("the token is malformed"))
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else {
            return .failure(KeyError("the token's signature is wrong"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
            let contact = object["c"] as? String, let expires = (object["e"] as? NSNumber)?.int64Value
        else { return .failure(KeyError("the token is malformed")) }
        guard now / 1000 < expires else { return .failure(KeyError("the token expired")) }
        return .success(contact)
    }
}

public struct KeyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices { difference |= a[i] ^ b[i] }
    return difference == 0
}

func random(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func unhex(_ text: String) -> [UInt8]? {
    guard text.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        out.append(byte)
        index = next
    }
    return out
}

func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func unbase64url(_ text: String) -> Data? {
    var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while s.count % 4 != 0 { s += "=" }
    return Data(base64Encoded: s)
}
