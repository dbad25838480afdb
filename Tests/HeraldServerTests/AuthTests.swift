import Foundation
import HTTPTypes
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@Suite struct AuthTests {
    /// A concrete URI for a route's path.
    func uri(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{locale}", with: "fr")
    }

    @Test func everyRouteRefusesAMissingKeyAWrongKeyAndAWrongRole() async throws {
        // The studio's write route on too, so that it answers by role (every body here is {}: nothing is written).
        let h = try ServerHarness(studioWrites: true)
        let routes = h.routes
        #expect(routes.count >= 20)
        try await h.application().test(.router) { client in
            for route in routes {
                let method = HTTPRequest.Method(route.method)!
                if route.isPublic {
                    let r = try await client.call(method, uri(route.path), headers: h.headers(nil))
                    #expect(r.status == 200, "\(route.method) \(route.path) is public")
                    continue
                }
                let missing = try await client.call(method, uri(route.path), "{}", headers: h.headers(nil))
                #expect(missing.status == 401, "\(route.method) \(route.path) without a key: \(missing.status)")
                #expect(missing.headers[.contentType] == "application/problem+json")
                #expect(missing.headers[.wwwAuthenticate] != nil)

                var wrongKey = h.headers(nil)
                wrongKey[.authorization] = "Bearer hk_" + String(repeating: "0", count: 48)
                let wrong = try await client.call(method, uri(route.path), "{}", headers: wrongKey)
                #expect(wrong.status == 401, "\(route.method) \(route.path) with a wrong key: \(wrong.status)")

                // Every role the route does not let in is refused with 403, and changes nothing.
                let before = try h.count("SELECT COUNT(*) FROM event") + h.count("SELECT COUNT(*) FROM contact")
                for role in Role.allCases where role != .admin && !route.roles.contains(role) {
                    let r = try await client.call(method, uri(route.path), "{}", headers: h.headers(role))
                    #expect(r.status == 403, "\(route.method) \(route.path) with a \(role) key: \(r.status)")
                    #expect((r.json["detail"] as? String)?.contains(role.rawValue) == true)
                }
                #expect(try h.count("SELECT COUNT(*) FROM event") + h.count("SELECT COUNT(*) FROM contact") == before)

                // A role it lets in gets past the guard (whatever the body then makes of the request).
                if let allowed = route.roles.first(where: { $0 != .admin }) ?? route.roles.first {
                    let r = try await client.call(method, uri(route.path), "{}", headers: h.headers(allowed))
                    #expect(r.status != 401 && r.status != 403, "\(route.method) \(route.path) with a \(allowed) key: \(r.status)")
                }
                let admin = try await client.call(method, uri(route.path), "{}", headers: h.headers(.admin))
                #expect(admin.status != 401 && admin.status != 403, "\(route.method) \(route.path) with the admin key")
            }
        }
    }

    @Test func aCustomerTokenReachesOnlyItsOwnPreferences() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            for id in ["u-17", "u-18"] {
                let r = try await client.call(.post, "/v1/events", assigned(id: "e-\(id)", assignee: id), headers: h.headers(.backend))
                #expect(r.status == 201)
            }
            let issued = try await client.call(.post, "/v1/contacts/u-17/tokens", #"{"ttl": "1h"}"#, headers: h.headers(.backend))
            #expect(issued.status == 201)
            let token = try #require(issued.json["token"] as? String)
            #expect(token.hasPrefix("hct_"))

            let own = try await client.call(.get, "/v1/contacts/u-17/preferences", headers: h.headers(token: token))
            #expect(own.status == 200)
            #expect(own.json["optedOutAll"] as? Bool == false)
            let changed = try await client.call(
                .put, "/v1/contacts/u-17/preferences", #"{"language": "fr", "optedOutCategories": ["case_updates"]}"#,
                headers: h.headers(token: token))
            #expect(changed.status == 200)
            #expect(changed.json["language"] as? String == "fr")
            #expect(changed.json["languageSource"] as? String == "contact")
            #expect(changed.json["optedOutCategories"] as? [String] == ["case_updates"])

            // Another contact, and every other route, are out of reach.
            let other = try await client.call(.get, "/v1/contacts/u-18/preferences", headers: h.headers(token: token))
            #expect(other.status == 403)
            let otherPut = try await client.call(.put, "/v1/contacts/u-18/preferences", #"{"optedOutAll": true}"#, headers: h.headers(token: token))
            #expect(otherPut.status == 403)
            #expect(try await h.store.contact(id: "u-18")?.optedOutAll == false)
            for (method, path) in [(HTTPRequest.Method.get, "/v1/messages"), (.post, "/v1/events"), (.get, "/v1/stats"), (.post, "/v1/contacts/u-17/tokens")] {
                let r = try await client.call(method, path, "{}", headers: h.headers(token: token))
                #expect(r.status == 403, "\(method) \(path) with a customer token")
            }

            // A token signed with another secret, a tampered one and an expired one are refused.
            let forged = CustomerTokens(secret: Array("another-secret-0123456".utf8)).issue(contact: "u-17", expires: h.now.value / 1000 + 3600)
            #expect(try await client.call(.get, "/v1/contacts/u-17/preferences", headers: h.headers(token: forged)).status == 401)
            let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            #expect(try await client.call(.get, "/v1/contacts/u-17/preferences", headers: h.headers(token: tampered)).status == 401)
            h.now.update { $0 += 2 * 3600 * 1000 }
            let expired = try await client.call(.get, "/v1/contacts/u-17/preferences", headers: h.headers(token: token))
            #expect(expired.status == 401)
            #expect((expired.json["detail"] as? String)?.contains("expired") == true)
        }
    }

    /// A backend follows up what its event caused: the message ids in the event's answer, read one by one; the
    /// whole log stays staff's.
    @Test func aBackendKeyReadsTheMessagesItsEventsCaused() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let posted = try await client.call(.post, "/v1/events", assigned(id: "follow-1"), headers: h.headers(.backend))
            #expect(posted.status == 201, "\(posted.text)")
            let decisions = try #require(posted.json["decisions"] as? [[String: Any]])
            let id = try #require(decisions.first?["messageID"] as? Int)
            let message = try await client.call(.get, "/v1/messages/\(id)", headers: h.headers(.backend))
            #expect(message.status == 200, "\(message.text)")
            #expect((message.json["message"] as? [String: Any])?["event"] as? String == "follow-1")
            #expect(try await client.call(.get, "/v1/messages", headers: h.headers(.backend)).status == 403)
        }
    }

    @Test func keysAreSaltedHashesAndTheirLinesReadBack() throws {
        let (secret, key) = APIKey.make(name: "crm", role: .backend)
        #expect(!key.line.contains(secret))
        let parsed = try APIKey.parse(key.line)
        #expect(parsed == key)
        let ring = Keyring([parsed])
        #expect(ring.authenticate(secret)?.name == "crm")
        #expect(ring.authenticate(secret + "x") == nil)
        // The environment form: NAME:ROLE:sha256:SALT:HASH, comma-separated.
        let listed = try Keyring.parse(list: key.line.replacingOccurrences(of: " ", with: ":"))
        #expect(listed.authenticate(secret)?.role == .backend)
        #expect(throws: KeyError.self) { try APIKey.parse("crm superuser sha256:00:00") }
        // Two keys made for the same name differ in salt and hash.
        #expect(APIKey.make(name: "crm", role: .backend).key.line != key.line)
    }

    @Test func theOpenAPIDescriptionDescribesEveryRegisteredRoute() async throws {
        let h = try ServerHarness()
        let text = try await h.application().test(.router) { client in
            let r = try await client.call(.get, "/openapi.yaml", headers: [:])
            #expect(r.status == 200)
            return r.text
        }
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var described = Set<String>()
        for (path, item) in paths {
            for (method, _) in (item as? [String: Any]) ?? [:] where ["get", "put", "post", "delete", "patch"].contains(method) {
                described.insert("\(method.uppercased()) \(path)")
            }
        }
        let registered = Set(h.registered)
        #expect(registered.count >= 20)
        #expect(registered.subtracting(described).isEmpty, "registered but not described: \(registered.subtracting(described).sorted())")
        #expect(described.subtracting(registered).isEmpty, "described but not registered: \(described.subtracting(registered).sorted())")
    }
}
