import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The console at `/console`: one page, its script and its style, compiled into the binary. They hold no data:
/// the script signs in with an API key (kept in the tab, sent in the Authorization header) and calls the same
/// API as everyone else. No inline script and nothing from elsewhere (the Content-Security-Policy says so).
struct ConsoleController: Controller {
    let state: ServerState

    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func register(_ t: inout RouteTable) {
        t.add(.get, "/console", roles: [], isPublic: true) { _, _ in
            Self.asset(PackageResources.index_html, type: "text/html; charset=utf-8")
        }
        t.add(.get, "/console/app.js", roles: [], isPublic: true) { _, _ in
            Self.asset(PackageResources.app_js, type: "text/javascript; charset=utf-8")
        }
        t.add(.get, "/console/app.css", roles: [], isPublic: true) { _, _ in
            Self.asset(PackageResources.app_css, type: "text/css; charset=utf-8")
        }
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        var headers: HTTPFields = [
            .contentType: type, .contentSecurityPolicy: policy, .cacheControl: "no-cache",
        ]
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
