import HeraldCore
import Testing

/// The words a person texts back, as the shipped locales list them.
@Suite struct KeywordTests {
    let keywords = Keywords(catalog: shippedCatalog)

    @Test func aWholeTextOrItsFirstWordIsAKeyword() {
        #expect(keywords.match("STOP")?.kind == .stop)
        #expect(keywords.match("  Arrêt ! ")?.kind == .stop)
        #expect(keywords.match("arrêt")?.word == "ARRÊT")
        #expect(keywords.match("stop please")?.word == "STOP")
        #expect(keywords.match("ጀምር")?.kind == .start)
        #expect(keywords.match("Reprendre.")?.locales == ["fr"])
    }

    @Test func aWordSeveralLocalesListHasThemAll() {
        #expect(keywords.match("stop")?.locales.sorted() == ["am", "en", "fr"])
        #expect(keywords.match("START")?.locales.sorted() == ["am", "en", "fr"])
    }

    @Test func otherTextsAreNoKeyword() {
        #expect(keywords.match("Merci beaucoup") == nil)
        #expect(keywords.match("please stop") == nil)
        #expect(keywords.match("") == nil)
        #expect(keywords.match("!!!") == nil)
    }
}
