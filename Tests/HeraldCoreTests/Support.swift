import Foundation
import HeraldTestSupport
import HeraldCore

/// The package root, found from this file's path, so tests use the shipped Templates/ and Locales/.
let packageRoot = TestPaths.packageRoot

let shippedCatalog: Catalog = Catalog.load(
    templates: packageRoot.appendingPathComponent("Templates").path,
    locales: packageRoot.appendingPathComponent("Locales").path)

let shippedRenderer = Renderer(catalog: shippedCatalog)

/// Invisible and non-ASCII spaces written as <U+XXXX>, so expectations show what ICU really wrote.
func visible(_ text: String) -> String {
    text.unicodeScalars.map { scalar in
        let v = scalar.value
        let invisible = (v >= 0x80 && scalar.properties.isWhitespace) || (0x200B...0x200F).contains(v)
            || (0x2060...0x206F).contains(v) || v == 0x061C || v == 0xFEFF
        return invisible ? "<\(scalar.codePoint)>" : String(scalar)
    }.joined()
}

/// A catalog written to a temporary folder, for tests of bad input.
struct TemporaryCatalog {
    let root: URL

    init(templates: [String: String], locales: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-test-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("Templates"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("Locales"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("Events"), withIntermediateDirectories: true)
        for (name, text) in templates {
            try text.write(to: root.appendingPathComponent("Templates/\(name)"), atomically: true, encoding: .utf8)
        }
        for (name, text) in locales {
            try text.write(to: root.appendingPathComponent("Locales/\(name)"), atomically: true, encoding: .utf8)
        }
    }

    var templatesPath: String { root.appendingPathComponent("Templates").path }
    var localesPath: String { root.appendingPathComponent("Locales").path }

    func load() -> Catalog { Catalog.load(templates: templatesPath, locales: localesPath) }
}

let simpleTemplate = """
    id: greet
    event: test.greet
    audience: customer
    category: test
    segmentBudget: 1
    ttl: 1h
    params:
      name: { type: string, maxLength: 20 }
      when: { type: datetime }
      n: { type: integer }
    """
