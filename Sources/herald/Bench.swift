import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print what they measured (release builds).",
        subcommands: [BenchRender.self, BenchSegments.self, BenchIngest.self, BenchCampaign.self])

    /// The build configuration, said loudly when it is not a release build.
    static var build: String {
        #if DEBUG
        "debug (figures are not representative: swift build -c release)"
        #else
        "release"
        #endif
    }

    /// Prints a bench's figures as one JSON object, keys sorted.
    static func printJSON(_ object: [String: Any]) throws {
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    static func warnIfDebug() {
        #if DEBUG
        FileHandle.standardError.write(Data("warning: this is a DEBUG build; its figures mean nothing. Use .build/release/herald (swift build -c release).\n".utf8))
        #endif
    }
}
