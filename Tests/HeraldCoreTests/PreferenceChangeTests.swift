import HeraldCore
import Testing

/// One check and one application of a preference change, whichever path asks for it.
@Suite struct PreferenceChangeTests {
    @Test func eachBadValueIsNamedByItsField() {
        var change = PreferenceChange()
        change.language = .set("klingon")
        change.timeZone = .set("Mars/Olympus")
        change.region = "XX"
        change.quietHours = .set("late")
        change.optedOutCategories = .set(["billing", "biling"])
        let problems = change.problems(catalog: shippedCatalog)
        #expect(problems.map(\.field) == [.language, .timeZone, .region, .quietHours, .category])
        #expect(problems[1].code == "invalid-time-zone")
        #expect(problems[3].text.hasSuffix(", or off"))
        #expect(problems[4].value == "biling")
        #expect(problems[4].text.contains("did you mean 'billing'?"))
    }

    @Test func offDefaultsAndKnownValuesPass() {
        var change = PreferenceChange()
        change.language = .set("am-ET")
        change.timeZone = .reset
        change.quietHours = .set("off")
        change.optOut = ["billing"]
        #expect(change.problems(catalog: shippedCatalog).isEmpty)
    }

    @Test func applyingSetsResetsAndLeaves() {
        var contact = Contact(
            id: "c1", name: "Amine", language: "fr", languageChosen: true, timeZone: "Africa/Tunis", timeZoneChosen: true,
            optedOutCategories: ["billing", "service"], quietHours: "22:00-07:00")
        var change = PreferenceChange()
        change.language = .reset
        change.quietHours = .set("21:00-8:00")
        change.optIn = ["service"]
        change.optOut = ["case_updates"]
        change.apply(to: &contact)
        #expect(contact.language == nil && !contact.languageChosen)
        #expect(contact.timeZone == "Africa/Tunis" && contact.timeZoneChosen)
        #expect(contact.quietHours == "21:00-08:00")
        #expect(contact.optedOutCategories == ["billing", "case_updates"])
        #expect(contact.name == "Amine")
    }

    @Test func stopAndStartWords() {
        var contact = Contact(id: "c2", optedOutCategories: ["billing"])
        PreferenceChange.keyword(.stop).apply(to: &contact)
        #expect(contact.optedOutAll && contact.optedOutCategories == ["billing"])
        PreferenceChange.keyword(.start).apply(to: &contact)
        #expect(!contact.optedOutAll && contact.optedOutCategories.isEmpty)
    }
}
