// swift-tools-version:6.2
import PackageDescription

/// Every target of ours is built in Swift 6 language mode with warnings treated as errors.
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    // Async functions run on their caller's executor unless marked @concurrent (SE-0461): the SPF
    // evaluator's many small awaits then cost no executor hop.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "NoticeAudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "notice-audit", targets: ["notice-audit"]),
        .library(name: "NoticeAudit", targets: ["NoticeAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CAres",
            pkgConfig: "libcares",
            providers: [.apt(["libc-ares-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPSL",
            pkgConfig: "libpsl",
            providers: [.apt(["libpsl-dev"])]
        ),
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // GMime is loaded with dlopen when a message is read (Sources/CGMime/shim.h): no pkg-config,
        // so that nothing links it (or GLib) into every scan.
        .systemLibrary(name: "CGMime"),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "NoticeAudit",
            dependencies: [
                "CCurl",
                "CAres",
                "CLibXML2",
                "CArchive",
                "CGMime",
                "CLibCrypto",
                "CLibPSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "notice-audit",
            dependencies: [
                "NoticeAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spf-benchmark",
            dependencies: ["NoticeAudit"],
            path: "Benchmarks/SPFBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "dns-benchmark",
            dependencies: ["NoticeAudit"],
            path: "Benchmarks/DNSBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "dashboard-benchmark",
            dependencies: ["NoticeAudit"],
            path: "Benchmarks/DashboardBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "relay-benchmark",
            dependencies: ["NoticeAudit"],
            path: "Benchmarks/RelayBenchmark",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "NoticeAuditTests",
            dependencies: ["NoticeAudit", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
