// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .library(name: "HeraldCore", targets: ["HeraldCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
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
        // Safe Swift over the shim: every unsafe pointer lives here.
        .target(name: "HeraldICU", dependencies: ["CICUShim"]),
        // Domain: catalog, rendering, SMS encoding. No I/O frameworks.
        .target(name: "HeraldCore", dependencies: ["HeraldICU", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "herald",
            dependencies: ["HeraldCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "HeraldCoreTests",
            dependencies: ["HeraldCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HeraldCLITests",
            dependencies: ["herald"]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
