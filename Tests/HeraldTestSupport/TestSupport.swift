import Foundation

/// Where the tests find the project and the built `herald`, shared by every test target.
public enum TestPaths {
    /// The package's root folder (Templates/, Locales/, Examples/).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The built `herald` next to the test bundle, in whatever build folder `swift test` used.
    public static var heraldBinary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("herald")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/herald")
    }
}

/// Runs a blocking call (a child process, a pipe read) on a thread of its own and awaits it, so it never holds
/// one of the few threads the tasks run on (two on a 2-core machine): a test that blocks there starves the others,
/// a provider in another test among them.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
