// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .library(name: "HeraldCore", targets: ["HeraldCore"]),
        .library(name: "HeraldStore", targets: ["HeraldStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System ICU 72 (libicu-dev). Only CICUShim includes its headers.
        .systemLibrary(
            name: "CICU",
            pkgConfig: "icu-i18n",
            providers: [.apt(["libicu-dev"])]
        ),
        // C++ over ICU; its public header has only C types, so Swift never sees ICU's versioned symbols.
        .target(
            name: "CICUShim",
            dependencies: ["CICU"],
            cxxSettings: [.define("U_SHOW_CPLUSPLUS_API", to: "1")]
        ),
        // C++ over libphonenumber (libphonenumber-dev has no pkg-config file); a C-only header.
        .target(
            name: "CPhoneShim",
            linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("protobuf")]
        ),
        // Safe Swift over the shim: every unsafe pointer lives here.
        .target(name: "HeraldICU", dependencies: ["CICUShim"]),
        // Domain: catalog, rendering, SMS encoding, rules and policy. No I/O frameworks.
        .target(
            name: "HeraldCore",
            dependencies: ["HeraldICU", "CPhoneShim", .product(name: "Yams", package: "Yams")]
        ),
        // SQLite through GRDB: migrations, contacts and preferences, events, decisions, the outbox.
        .target(
            name: "HeraldStore",
            dependencies: ["HeraldCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // PostgreSQL through postgres-nio: the same `Storage` for many Herald processes on one database; the
        // database does the locking (row locks, SKIP LOCKED claims, advisory locks, unique constraints).
        .target(
            name: "HeraldPostgres",
            dependencies: [
                "HeraldCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The use cases every adapter (the CLI, the HTTP API) calls: each rule of an operation written once, over
        // the `Storage` protocol.
        .target(name: "HeraldApp", dependencies: ["HeraldCore"]),
        // Getting messages out: the sender protocol and its http and log implementations, the worker that
        // drains the outbox with retries, delivery reports.
        .target(
            name: "HeraldDelivery",
            dependencies: [
                "HeraldCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `herald serve`: the HTTP API (Hummingbird) with keys and roles, the worker running inside it, metrics.
        .target(
            name: "HeraldServer",
            dependencies: [
                "HeraldCore", "HeraldApp", "HeraldDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // The console's page, script and style, compiled into the binary (no files to deploy beside it).
            resources: [.embedInCode("Console/index.html"), .embedInCode("Console/app.js"), .embedInCode("Console/app.css")]
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldCore", "HeraldICU", "HeraldApp", "HeraldStore", "HeraldPostgres", "HeraldDelivery", "HeraldServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets (Tests/Fuzz): built with the fuzzer by scripts/harness; built plainly, a corpus replayer.
        .executableTarget(
            name: "herald-fuzz",
            dependencies: ["HeraldCore", "HeraldICU", "HeraldStore"],
            path: "Tests/Fuzz/Targets"
        ),
        // Paths the test targets share: the package root and the built herald.
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HeraldTestSupport"
        ),
        .testTarget(
            name: "HeraldCoreTests",
            dependencies: ["HeraldCore", "HeraldTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HeraldStoreTests",
            dependencies: ["HeraldStore", "HeraldPostgres", "HeraldTestSupport"]
        ),
        .testTarget(
            name: "HeraldDeliveryTests",
            dependencies: [
                "HeraldDelivery", "HeraldStore", "HeraldPostgres", "HeraldCore", "herald", "HeraldTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "HeraldServerTests",
            dependencies: [
                "HeraldServer", "HeraldApp", "HeraldStore", "HeraldPostgres", "HeraldCore", "HeraldDelivery", "herald", "HeraldTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "HeraldCLITests",
            dependencies: ["herald", "HeraldTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
