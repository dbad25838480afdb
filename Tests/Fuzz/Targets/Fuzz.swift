// Fuzz targets for libFuzzer. Built with the fuzzer (scripts/harness does it):
//   swift build --scratch-path .build-fuzz --product herald-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DHERALD_FUZZ
//   HERALD_FUZZ_TARGET=segments .build-fuzz/debug/herald-fuzz CORPUS -max_total_time=60
// Built without it, `herald-fuzz TARGET FILE|DIR…` replays inputs through the same checks (a regression run).
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore

enum FuzzTarget: String, CaseIterable {
    /// The event JSON reader (any bytes).
    case json
    /// An event checked against the catalog's event types and templates.
    case event
    /// An ICU MessageFormat text compiled and formatted with typed values.
    case message
    /// A template, locale or event-type YAML file checked with the whole catalog.
    case catalog
    /// Phone numbers in several regions.
    case phone
    /// The segment counter against the splitter: the parts are the text, and as many as counted.
    case segments
    /// The GSM-7 keeper: its count is the count of the text it returns.
    case keeper
    /// A delivery report's JSON.
    case report
    /// Dates and times as parameters and `receivedAt` give them.
    case instant
    /// An inbound SMS as `POST /v1/inbound` reads it: the sender's number, the keyword its text is, its date.
    case inbound
}

let root = ProcessInfo.processInfo.environment["HERALD_ROOT"] ?? FileManager.default.currentDirectoryPath
let catalog = Catalog.load(
    templates: root + "/Templates", locales: root + "/Locales", events: root + "/Events")
let keywords = Keywords(catalog: catalog)
let empty: String = {
    // One empty folder for every run (created once, never filled), not one more per run.
    let path = NSTemporaryDirectory() + "herald-fuzz-empty"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

func check(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("herald-fuzz: \(what())\n".utf8))
        abort()
    }
}

func fuzz(_ target: FuzzTarget, _ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    switch target {
    case .json:
        _ = try? JSONValue.parse(data)
    case .event:
        _ = try? Event.parse(data, catalog: catalog)
    case .message:
        let arguments: [(name: String, kind: ArgumentKind)] = [
            ("name", .string), ("count", .integer), ("amount", .decimal), ("ratio", .double), ("at", .date),
        ]
        for (locale, zone) in [("fr", "Africa/Tunis"), ("am_ET@calendar=ethiopic", "Africa/Addis_Ababa")] {
            guard let message = try? CompiledMessage(
                pattern: text, locale: locale, timeZone: zone, arguments: arguments, currencySymbols: ["TND": "DT"])
            else { continue }
            _ = try? message.format([
                .string("Amine {x} '#"), .integer(3), .decimal("1234.5"), .double(0.25), .date(epochMilliseconds: 1_795_000_000_000),
            ])
        }
    case .catalog:
        let folder = ["templates", "locales", "events"][Int(data.first ?? 0) % 3]
        // The fuzzed file stands alone in its folder, beside the real files of the others (but the locales when
        // an event type is fuzzed): what it refers to exists, and each input costs one file's check, not the
        // whole catalog's.
        let checked = Catalog.load(
            templates: folder == "templates" ? empty : root + "/Templates",
            locales: folder == "templates" ? root + "/Locales" : empty,
            events: folder == "events" ? empty : root + "/Events",
            extra: [(folder: folder, name: "fuzz.yaml", text: String(text.dropFirst()))])
        _ = checked.check()
    case .phone:
        for region in ["ET", "TN", "FR"] { _ = try? PhoneNumber.parse(text, region: region) }
    case .segments:
        let count = SMS.count(text)
        let parts = SMS.parts(text)
        check(count.segments == parts.count, "count \(count.segments) but \(parts.count) parts")
        check(parts.joined() == text, "the parts are not the text")
        check(SMS.room(text) >= 0, "negative room")
        check(SMS.countAsUCS2(text).segments >= count.segments, "UCS-2's worst case is below the count")
    case .keeper:
        for policy in [GSMPolicy(), GSMPolicy(replaceLookalikes: true, transliterate: .latinAccents)] {
            let kept = GSMKeeper.keep(text, policy: policy)
            check(kept.count == SMS.count(kept.text), "the keeper's count is not its text's")
        }
    case .report:
        if let value = try? JSONValue.parse(data) { _ = DeliveryReport.parse(value) }
    case .instant:
        _ = ParameterValue.instant(text, now: 1_795_000_000_000)
        _ = ParameterValue.epochMilliseconds(text, timeZone: "Africa/Addis_Ababa")
    case .inbound:
        guard let value = try? JSONValue.parse(data) else { return }
        if let from = value["from"]?.text { _ = try? PhoneNumber.parse(from, region: "ET") }
        if let received = value["receivedAt"]?.text, ParameterValue.hasOffset(received) {
            _ = ParameterValue.epochMilliseconds(received, timeZone: "UTC")
        }
        if let text = value["text"]?.text, let match = keywords.match(text) {
            check(!match.locales.isEmpty, "keyword '\(match.word)' without a locale")
            check(Keywords.normalize(match.word) == match.word, "keyword '\(match.word)' is not in its normal form")
            check(keywords.match(match.word) == match, "keyword '\(match.word)' does not match itself")
        }
    }
}

let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["HERALD_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        #if HERALD_FUZZ
        FileHandle.standardError.write(Data("herald-fuzz: set HERALD_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
        #else
        return .json
        #endif
    }
    return target
}()

#if HERALD_FUZZ
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzz(selected, Data(bytes: bytes, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// SwiftPM links an executable's entry point as `<module>_main`; here it hands over to libFuzzer's driver.
@_cdecl("herald_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv) { bytes, size in
        fuzz(selected, bytes.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }
}
#else
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: herald-fuzz TARGET FILE|DIR…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                fuzz(target, data)
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs replayed")
    }
}
#endif
