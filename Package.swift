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
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "traceledger", targets: ["traceledger"]),
        .library(name: "TraceLedger", targets: ["TraceLedger"]),
        .library(name: "LMDBKit", targets: ["LMDBKit"]),
        .library(name: "ZstdKit", targets: ["ZstdKit"]),
        .library(name: "JSONKit", targets: ["JSONKit"]),
        .library(name: "TraceLedgerServer", targets: ["TraceLedgerServer"]),
        .library(name: "TraceLedgerIngest", targets: ["TraceLedgerIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        // Only the benchmark's SQLite peer uses it; the engine never links SQLite.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // General wrappers: know nothing of events.
        // LMDB's asserts and wild reads on a damaged page become an error message, not a signal (FaultGuard).
        .target(name: "CLMDBFaultGuard"),
        .target(name: "LMDBKit", dependencies: ["CLMDB", "CLMDBFaultGuard"], swiftSettings: strictSettings),
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
        .executableTarget(
            name: "schema-embedder", path: "tools/schema-embedder", swiftSettings: strictSettings),
        .plugin(name: "EmbedSchemas", capability: .buildTool(), dependencies: ["schema-embedder"]),

        // Replay sinks that talk to the network: HTTP webhooks and NATS JetStream.
        .target(
            name: "TraceLedgerSinks",
            dependencies: [
                "TraceLedger", "CNATS", "JSONKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        // Provider payloads → ledger events: Shopify, Stripe, CloudEvents. Pure mapping and signature checks.
        .target(
            name: "TraceLedgerIngest",
            dependencies: ["TraceLedger", "JSONKit", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),

        // The HTTP server (Hummingbird 2): thin, like the CLI; the engine does the work.
        .target(
            name: "TraceLedgerServer",
            dependencies: [
                "TraceLedger", "TraceLedgerSinks", "TraceLedgerIngest", "JSONKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        // Realistic, seeded workloads: the demo, the tests and the benchmark share them.
        .target(name: "TraceLedgerWorkload", swiftSettings: strictSettings),
        .target(
            name: "TraceLedgerTesting",
            dependencies: [
                "TraceLedger", "TraceLedgerWorkload", "TraceLedgerSinks", "CNATS", "JSONKit", "ZstdKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Shopify's and Stripe's public fixtures, with their sources (Fixtures/SOURCES.md), and a store of
            // format 1 (Fixtures/stores/format-1/README.md).
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings),

        .executableTarget(
            name: "traceledger",
            dependencies: [
                "TraceLedger", "TraceLedgerSinks", "TraceLedgerServer", "TraceLedgerIngest", "TraceLedgerWorkload",
                "JSONKit", "LMDBKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
                "TraceLedger", "TraceLedgerWorkload", "LMDBKit", "CSQLite", "TraceLedgerServer", "TraceLedgerSinks",
                "TraceLedgerTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "tools/bench", swiftSettings: strictSettings),

        .testTarget(name: "LMDBKitTests", dependencies: ["LMDBKit"], swiftSettings: strictSettings),
        .testTarget(name: "ZstdKitTests", dependencies: ["ZstdKit"], swiftSettings: strictSettings),
        .testTarget(
            name: "JSONKitTests", dependencies: ["JSONKit"], exclude: ["JSONSchemaTestSuite"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerWorkloadTests", dependencies: ["TraceLedgerWorkload"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerTests",
            dependencies: [
                "TraceLedger", "TraceLedgerSinks", "TraceLedgerTesting", "TraceLedgerWorkload", "LMDBKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerIngestTests",
            dependencies: ["TraceLedgerIngest", "TraceLedger", "TraceLedgerTesting", "JSONKit"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TraceLedgerServerTests",
            dependencies: [
                "TraceLedgerServer", "TraceLedger", "TraceLedgerSinks", "TraceLedgerTesting", "TraceLedgerWorkload",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "traceledgerTests",
            dependencies: [
                "traceledger", "ledger-bench", "TraceLedgerTesting", "TraceLedgerWorkload", "LMDBKit",
                "TraceLedger", "TraceLedgerSinks", "TraceLedgerIngest",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], swiftSettings: strictSettings),
    ]
)
