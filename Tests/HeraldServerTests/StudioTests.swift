import Foundation
import HeraldApp
import HeraldCore
import HeraldServer
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// The template studio's preview: what the console shows comes from this route, computed by the renderer and the
/// catalog check.
@Suite struct StudioTests {
    func body(_ object: [String: Any]) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: object), encoding: .utf8)!
    }

    @Test func everyLocaleSideBySideWithExamplesPartsAndTheWorstCase() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let r = try await client.call(
                .post, "/v1/templates/invoice.created/preview", body(["timeZone": "Africa/Tunis"]), headers: h.headers(.author))
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json["budget"] as? Int == 3)
            let fields = try #require(r.json["parameters"] as? [[String: Any]])
            #expect(fields.map { $0["name"] as? String } == ["firstName", "invoiceNumber", "total", "carMake", "carModel"])
            #expect(fields.first { $0["name"] as? String == "total" }?["currency"] as? String == "TND")
            #expect(fields.allSatisfy { $0["example"] as? Bool == true && !($0["value"] as? String ?? "").isEmpty })
            let locales = try #require(r.json["locales"] as? [[String: Any]])
            #expect(locales.map { $0["locale"] as? String } == ["am", "en", "fr"])
            let fr = try #require(locales.last)
            let rendered = try #require(fr["rendered"] as? [String: Any])
            #expect((rendered["text"] as? String)?.contains("1 234,500 DT") == true)
            #expect(rendered["encoding"] as? String == "GSM-7")
            // ICU's narrow no-break space is outside GSM-7; the French policy writes a space instead.
            let characters = try #require(rendered["characters"] as? [[String: Any]])
            #expect(characters.contains { $0["codePoint"] as? String == "U+202F" && $0["replacement"] as? String == " " })
            #expect(rendered["rawEncoding"] as? String == "UCS-2")
            let raw = try #require(rendered["raw"] as? [[String: Any]])
            #expect(raw.compactMap { $0["text"] as? String }.joined().contains("\u{202F}"))
            #expect(raw.filter { $0["ucs2"] as? Bool == true }.allSatisfy { ($0["text"] as? String)?.count == 1 })
            let worst = try #require(fr["worstCase"] as? [String: Any])
            #expect(worst["budget"] as? Int == 3 && (worst["segments"] as? Int ?? 9) <= 3)
            // Amharic is UCS-2 throughout: every Ethiopic letter is flagged, none has a GSM-7 stand-in.
            let am = try #require((locales.first?["rendered"]) as? [String: Any])
            #expect(am["encoding"] as? String == "UCS-2")
            let ethiopic = ((am["characters"] as? [[String: Any]]) ?? []).filter {
                (($0["character"] as? String)?.unicodeScalars.first?.value).map { (0x1200...0x137F).contains($0) } == true
            }
            #expect(!ethiopic.isEmpty && ethiopic.allSatisfy { $0["replacement"] == nil })
        }
    }

    @Test func aDraftIsRenderedAndCheckedAtItsOwnLineAndColumn() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            // A curly apostrophe and ê: the apostrophe has a GSM-7 stand-in, ê has none, so the message is UCS-2.
            let draft = "Bonjour {firstName}, l’équipe a préparé votre facture {invoiceNumber}.\nÊtes-vous prêt ? Total : {total, number, ::currency/TND}"
            let r = try await client.call(
                .post, "/v1/templates/invoice.created/preview",
                body(["locale": "fr", "text": draft, "params": ["firstName": "Leïla"]]), headers: h.headers(.author))
            #expect(r.status == 200, "\(r.text)")
            let fr = try #require((r.json["locales"] as? [[String: Any]])?.first)
            #expect(fr["draft"] as? Bool == true && fr["source"] as? String == draft)
            let rendered = try #require(fr["rendered"] as? [String: Any])
            #expect((rendered["text"] as? String)?.hasPrefix("Bonjour Leïla, l’équipe") == true)
            #expect(rendered["encoding"] as? String == "UCS-2")
            let characters = try #require(rendered["characters"] as? [[String: Any]])
            #expect(characters.contains { $0["character"] as? String == "’" && $0["replacement"] as? String == "'" })
            #expect(characters.contains { $0["character"] as? String == "ê" && $0["replacement"] == nil })
            let fields = try #require(r.json["parameters"] as? [[String: Any]])
            #expect(fields.first?["value"] as? String == "Leïla" && fields.first?["example"] as? Bool == false)
            // The entry to paste is a literal block that reads back as the draft.
            let yaml = try #require(fr["yaml"] as? String)
            #expect(yaml.hasPrefix("  invoice.created: |2-\n    Bonjour"))
            #expect(fr["diagnostics"] as? [Any] != nil)

            // A brace never closed on the draft's second line: the diagnostic is at that line of the draft.
            let broken = "Bonjour {firstName},\nvotre facture {invoiceNumber est prête."
            let b = try await client.call(
                .post, "/v1/templates/invoice.created/preview", body(["locale": "fr", "text": broken]), headers: h.headers(.author))
            #expect(b.status == 200)
            let bf = try #require((b.json["locales"] as? [[String: Any]])?.first)
            #expect(bf["rendered"] == nil && (bf["error"] as? String)?.contains("MessageFormat") == true)
            let diagnostics = try #require(bf["diagnostics"] as? [[String: Any]])
            let syntax = try #require(diagnostics.first { ($0["message"] as? String)?.contains("MessageFormat syntax") == true }, "\(diagnostics)")
            #expect(syntax["line"] as? Int == 2 && syntax["column"] as? Int == 16, "\(syntax)")
            #expect(syntax["severity"] as? String == "error")
            // Nothing was written: the served catalog still renders the shipped text.
            let again = try await client.call(
                .post, "/v1/templates/invoice.created/preview", body(["locale": "fr"]), headers: h.headers(.author))
            let source = ((again.json["locales"] as? [[String: Any]])?.first?["source"] as? String) ?? ""
            #expect(source.contains("une nouvelle facture"))
        }
    }

    @Test func aCheckedDraftIsWrittenIntoItsLocaleFileOnlyWhenTheServerAllowsIt() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("studio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["Templates", "Locales"] {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        let fr = root.appendingPathComponent("Locales/fr.yaml")
        let before = try String(contentsOf: fr, encoding: .utf8)
        let text = "Bonjour {firstName}, votre {carMake} {carModel} est prête. À bientôt !"
        let body = body(["text": text])

        // Not allowed: the server was started without --studio-writes.
        let off = try ServerHarness(catalog: root)
        try await off.application().test(.router) { client in
            let r = try await client.call(.put, "/v1/templates/service.completed/messages/fr", body, headers: off.headers(.author))
            #expect(r.status == 403 && r.text.contains("--studio-writes"), "\(r.text)")
        }
        #expect(try String(contentsOf: fr, encoding: .utf8) == before)

        let on = try ServerHarness(catalog: root, studioWrites: true)
        try await on.application().test(.router) { client in
            let me = try await client.call(.get, "/v1/me", headers: on.headers(.author))
            #expect(me.json["studioWrites"] as? Bool == true)
            #expect(try await client.call(.get, "/v1/me", headers: on.headers(.staff)).json["studioWrites"] as? Bool == false)
            // Staff may look, not write; a draft with an error is refused at its line and column, and nothing changes.
            #expect(try await client.call(.put, "/v1/templates/service.completed/messages/fr", body, headers: on.headers(.staff)).status == 403)
            let broken = try await client.call(
                .put, "/v1/templates/service.completed/messages/fr", self.body(["text": "Bonjour\n{firstName"]), headers: on.headers(.author))
            #expect(broken.status == 422 && broken.text.contains("line 2"), "\(broken.text)")
            #expect(try String(contentsOf: fr, encoding: .utf8) == before)
            #expect(try await client.call(.put, "/v1/templates/nope/messages/fr", body, headers: on.headers(.author)).status == 404)
            #expect(try await client.call(.put, "/v1/templates/service.completed/messages/xx", body, headers: on.headers(.author)).status == 404)

            let written = try await client.call(.put, "/v1/templates/service.completed/messages/fr", body, headers: on.headers(.author))
            #expect(written.status == 200, "\(written.text)")
            #expect((written.json["note"] as? String)?.contains("restart") == true)
        }
        // The file now holds the draft, the rest as it was; a catalog loaded from it serves the new text.
        let after = try String(contentsOf: fr, encoding: .utf8)
        #expect(after.contains("  service.completed: |2-\n    \(text)\n"))
        #expect(after.contains("case.assigned:") && after.contains("keywords:"))
        let reloaded = Catalog.load(
            templates: root.appendingPathComponent("Templates").path, locales: root.appendingPathComponent("Locales").path)
        #expect(!reloaded.diagnostics.hasErrors)
        #expect(reloaded.sortedLocales.first { $0.id == "fr" }?.messages["service.completed"]?.text == text)
    }

    @Test func badRequestsNameTheFieldAndCustomersMayNotLook() async throws {
        let h = try ServerHarness()
        try await h.application().test(.router) { client in
            let cases: [(path: String, body: [String: Any], status: Int, field: String)] = [
                ("/v1/templates/nope/preview", [:], 404, ""),
                ("/v1/templates/invoice.created/preview", ["locale": "xx"], 422, "locale"),
                ("/v1/templates/invoice.created/preview", ["timeZone": "Mars/Olympus"], 422, "timeZone"),
                ("/v1/templates/invoice.created/preview", ["params": ["nope": "1"]], 422, "params.nope"),
                ("/v1/templates/invoice.created/preview", ["text": "Bonjour"], 422, "text"),
                ("/v1/templates/invoice.created/preview", ["locale": "fr", "at": "yesterday"], 422, "at"),
            ]
            for c in cases {
                let r = try await client.call(.post, c.path, body(c.body), headers: h.headers(.author))
                #expect(r.status == c.status, "\(c.body): \(r.text)")
                if !c.field.isEmpty { #expect(r.text.contains(c.field), "\(c.body): \(r.text)") }
            }
            #expect(try await client.call(.post, "/v1/templates/invoice.created/preview", "{}", headers: h.headers(.backend)).status == 403)
            #expect(try await client.call(.post, "/v1/templates/invoice.created/preview", "{}", headers: h.headers(nil)).status == 401)
            #expect(try await client.call(.post, "/v1/templates/invoice.created/preview", "{}", headers: h.headers(.staff)).status == 200)
        }
    }
}

/// A draft put into a locale file: in place of its entry, or added, and read back by the catalog as the draft.
@Suite struct LocaleDraftTests {
    let source = """
        locale: fr
        messages:
          a.one: >-
            Premier
            message.
          # the second
          b.two: Deuxième
        keywords:
          stop: [STOP]

        """

    @Test func replacesTheEntryAndKeepsTheRest() {
        let d = LocaleDraft(source: source, template: "a.one", text: "Nouveau\n  texte")
        #expect(d.file == """
            locale: fr
            messages:
              a.one: |2-
                Nouveau
                  texte
              # the second
              b.two: Deuxième
            keywords:
              stop: [STOP]

            """)
        #expect(d.keyLine == 3)
        #expect(d.draftPosition(line: 5, column: 7)! == (2, 3))
        #expect(d.draftPosition(line: 3, column: 1) == nil)
        #expect(d.draftPosition(line: 6, column: 1) == nil)
    }

    @Test func addsAnEntryAtTheEndOfTheMessages() {
        let d = LocaleDraft(source: source, template: "c.three", text: "Troisième")
        #expect(d.file.contains("  b.two: Deuxième\n  c.three: |2-\n    Troisième\nkeywords:"))
        let none = LocaleDraft(source: "locale: en\n", template: "x.y", text: "Hi")
        #expect(none.file == "locale: en\nmessages:\n  x.y: |2-\n    Hi\n")
    }

    @Test func theCatalogReadsTheDraftBackAsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("draft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let shipped = try String(contentsOf: packageRoot.appendingPathComponent("Locales/fr.yaml"), encoding: .utf8)
        let text = "  Deux espaces devant,\n\nune ligne vide, des « guillemets » et {firstName}: #1"
        let d = LocaleDraft(source: shipped, template: "service.completed", text: text)
        let catalog = Catalog.load(
            templates: packageRoot.appendingPathComponent("Templates").path,
            locales: packageRoot.appendingPathComponent("Locales").path,
            extra: [(folder: "locales", name: "fr.yaml", text: d.file)])
        #expect(catalog.sortedLocales.first { $0.id == "fr" }?.messages["service.completed"]?.text == text)
        #expect(catalog.sortedLocales.first { $0.id == "fr" }?.messages.count
            == Catalog.load(templates: packageRoot.appendingPathComponent("Templates").path,
                            locales: packageRoot.appendingPathComponent("Locales").path).sortedLocales.first { $0.id == "fr" }?.messages.count)
    }
}
