// swift-tools-version: 6.0
import PackageDescription

/// Upcoming features turned on in every target: explicit `any`, imports visible only where written, and
/// imports internal unless marked `public import`, so no C or dependency type leaks into a public API.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TraceLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "traceledger", targets: ["traceledger"]),
        .library(name: "TraceLedger", targets: ["TraceLedger"]),
        .library(name: "LMDBKit", targets: ["LMDBKit"]),
        .library(name: "ZstdKit", targets: ["ZstdKit"]),
        .library(name: "JSONKit", targets: ["JSONKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Only the benchmark's SQLite peer uses it; the engine never links SQLite.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // General wrappers: know nothing of events.
        .target(name: "LMDBKit", dependencies: ["CLMDB"], swiftSettings: strictSettings),
        .target(name: "ZstdKit", dependencies: ["CZstd"], swiftSettings: strictSettings),
        .target(name: "JSONKit", swiftSettings: strictSettings),

        // The engine, with the event schemas of schemas/ compiled in.
        .target(
            name: "TraceLedger",
            dependencies: [
                "LMDBKit", "ZstdKit", "JSONKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedSchemas"]),
        .executableTarget(name: "schema-embedder", path: "tools/schema-embedder", swiftSettings: strictSettings),
        .plugin(name: "EmbedSchemas", capability: .buildTool(), dependencies: ["schema-embedder"]),

        // Realistic, seeded workloads: the demo, the tests and the benchmark share them.
        .target(name: "TraceLedgerWorkload", swiftSettings: strictSettings),
        .target(
            name: "TraceLedgerTesting", dependencies: ["TraceLedger", "TraceLedgerWorkload"],
            swiftSettings: strictSettings),

        .executableTarget(
            name: "traceledger",
            dependencies: [
                "TraceLedger", "TraceLedgerWorkload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "ledger-workload",
            dependencies: [
                "TraceLedgerWorkload", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/workload", swiftSettings: strictSettings),
        // The benchmark: TraceLedger against the raw LMDB limit and a SQLite peer (docs/performance.md).
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "TraceLedger", "TraceLedgerWorkload", "LMDBKit", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "tools/bench", swiftSettings: strictSettings),

        .testTarget(name: "LMDBKitTests", dependencies: ["LMDBKit"], swiftSettings: strictSettings),
        .testTarget(name: "ZstdKitTests", dependencies: ["ZstdKit"], swiftSettings: strictSettings),
        .testTarget(
            name: "JSONKitTests", dependencies: ["JSONKit"], exclude: ["JSONSchemaTestSuite"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerWorkloadTests", dependencies: ["TraceLedgerWorkload"], swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerTests", dependencies: ["TraceLedger", "TraceLedgerTesting", "TraceLedgerWorkload", "LMDBKit"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "traceledgerTests", dependencies: ["traceledger", "ledger-bench", "TraceLedgerTesting", "TraceLedgerWorkload", "LMDBKit"], swiftSettings: strictSettings),
    ]
)
