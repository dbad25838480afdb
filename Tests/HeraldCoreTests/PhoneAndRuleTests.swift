import Foundation
import HeraldCore
import Testing

@Suite("Phone numbers (libphonenumber)")
struct PhoneNumberTests {
    static let accepted: [(String, String, String, Bool)] = [
        ("+251911234567", "ZZ", "+251911234567", true),
        ("0911234567", "ET", "+251911234567", true),
        ("251911234567", "ET", "+251911234567", true),
        ("00251911234567", "ET", "+251911234567", true),
        ("0711234567", "ET", "+251711234567", true),
        ("0811234567", "ET", "+251811234567", false),  // Safaricom 08x: possible, not in the 2022 metadata
        ("+216 20 123 456", "ZZ", "+21620123456", true),
        ("20 123 456", "TN", "+21620123456", true),
        ("0021620123456", "TN", "+21620123456", true),
        ("+33 6 12 34 56 78", "TN", "+33612345678", true),
    ]

    @Test(arguments: accepted)
    func normalizesToE164(input: String, region: String, e164: String, valid: Bool) throws {
        let number = try PhoneNumber.parse(input, region: region)
        #expect(number.e164 == e164)
        #expect(number.isValidPerMetadata == valid)
    }

    static let refused: [(String, String, PhoneNumber.Failure.Reason)] = [
        ("12345", "TN", .tooShort),
        ("abc", "TN", .notANumber),
        ("", "TN", .empty),
        ("+2519112345678", "ZZ", .tooLong),
        ("0911234567", "ZZ", .invalidCountryCode),
    ]

    @Test(arguments: refused)
    func refusesWithTheLibrarysReason(input: String, region: String, reason: PhoneNumber.Failure.Reason) {
        #expect(throws: PhoneNumber.Failure(reason: reason, input: input)) { try PhoneNumber.parse(input, region: region) }
    }

    @Test func masksAllButTheCountryCodeFirstAndLastDigits() throws {
        let et = try PhoneNumber.parse("0911234567", region: "ET")
        #expect(et.masked == "+251 9• ••• ••67")
        #expect(!et.masked.contains("1234"))
        #expect(PhoneNumber.mask(e164: "+21620123456") == "+216 2• ••• •56")
    }
}

@Suite("Event JSON and rule conditions")
struct RuleTests {
    @Test func jsonRoundTrips() throws {
        let text = #"{"a": [1, 2.5, "x\"y\u00e9\ud83d\ude00", true, null], "b": {"c": -3e2}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value[path: "b.c"] == .number(-300))
        #expect(value.serialized == #"{"a":[1,2.5,"x\"yé😀",true,null],"b":{"c":-300}}"#)
        #expect(try JSONValue.parse(Array(value.serialized.utf8)) == value)
        for bad in ["{", "{\"a\" 1}", "[1,]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "01x", "{} {}"] {
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(bad.utf8)) }
        }
    }

    @Test func conditions() throws {
        let data = try JSONValue.parse(Array(#"{"case": {"title": "", "status": "open", "n": 3}}"#.utf8))
        func holds(_ line: String) throws -> Bool {
            let condition = try Condition.parse(line).get()
            return condition.holds(for: data[path: condition.path])
        }
        #expect(try holds("case.status == open"))
        #expect(try !holds("case.status != open"))
        #expect(try holds("case.title missing"))  // empty text is no value
        #expect(try !holds("case.title exists"))
        #expect(try holds("case.n in [1, 3]"))
        #expect(try holds("case.owner missing"))
        if case .success = Condition.parse("case.status is open") { Issue.record("accepted a bad condition") }
    }

    @Test func checkFindsRulesTheEventCannotFill() throws {
        let template = """
            id: greet
            event: test.greet
            audience: custmer
            skipSelf: actor.name
            category: test
            segmentBudget: 2
            ttl: 1h
            when: [order.status == open, order.status is open]
            params:
              name: { type: string, maxLength: 20, from: recipient.nickname }
              total: { type: money, currency: TND, from: order.title }
              note: { type: string, maxLength: 20, from: order.note }
            """
        let event = """
            type: test.greet
            fields:
              customer: person
              actor: { type: person, optional: true }
              order: object
              order.title: string
              order.note: { type: string, optional: true }
            """
        let catalog = try TemporaryCatalog(
            templates: ["greet.yaml": template],
            locales: ["en.yaml": "locale: en\nmessages:\n  greet: \"Hi {name} {total, number, ::currency/TND} {note}\"\n"])
        try event.write(to: catalog.root.appendingPathComponent("Events/test.greet.yaml"), atomically: true, encoding: .utf8)
        let report = catalog.load().check()
        let errors = report.diagnostics.filter { $0.severity == .error }.map { "\($0.field ?? ""): \($0.message)" }
        #expect(errors.contains { $0.hasPrefix("when: 'order.status is open' is not a condition") })
        let loaded = catalog.load()
        #expect(loaded.templates["greet"] == nil)  // a syntax error in `when` rejects the template
        // Without the bad condition, every rule problem is reported with its field.
        try template.replacingOccurrences(of: ", order.status is open", with: "")
            .write(to: catalog.root.appendingPathComponent("Templates/greet.yaml"), atomically: true, encoding: .utf8)
        let messages = catalog.load().check().diagnostics.filter { $0.severity == .error }.map { "\($0.field ?? ""): \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("audience: 'custmer' is not a field of test.greet (did you mean 'customer'?)") })
        #expect(messages.contains { $0.hasPrefix("skipSelf: 'actor.name' is string, not a person") })
        #expect(messages.contains { $0.hasPrefix("when: order.status == open: 'order.status' is not a field") })
        #expect(messages.contains { $0.hasPrefix("params.total.from: 'order.title' is string; a money parameter cannot take it") })
        #expect(messages.contains { $0.hasPrefix("params.note.from: 'order.note' is optional in test.greet") })
        #expect(messages.contains { $0.hasPrefix("params.name.from: 'recipient.nickname' is not declared for every audience") })
    }

    @Test func theShippedCatalogsRulesAreClean() {
        let report = shippedCatalog.check()
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(shippedCatalog.events.count == 7)
    }
}
