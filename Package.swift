// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "dnsd",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DNSProto", targets: ["DNSProto"]),
        // Resolver, ControlProto and Daemon as libraries for the fuzz harnesses (fuzz/README.md).
        .library(name: "Resolver", targets: ["Resolver"]),
        .library(name: "ControlProto", targets: ["ControlProto"]),
        .library(name: "Daemon", targets: ["Daemon"]),
        .executable(name: "dnsd", targets: ["dnsd"]),
        .executable(name: "dnsctl", targets: ["dnsctl"]),
        .executable(name: "dnsconsole", targets: ["Console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // Wire and presentation format. No I/O, no dependencies: the fuzzer builds it alone.
        .target(name: "DNSProto"),
        // recvmmsg/sendmmsg for the UDP workers and the UDP relay's upstream sockets (Glibc's
        // module lacks them: they need _GNU_SOURCE).
        .target(name: "CDatagramBatch"),
        .target(
            name: "Resolver",
            dependencies: [
                "DNSProto", "CDatagramBatch",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                // DNSSEC signature checks (Sources/Resolver/DNSSEC): SHA-2, ECDSA, Ed25519; RSA PKCS#1 v1.5.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ControlProto",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // ProductVersion.commit, shared by all three executables.
            plugins: ["GitCommit"]
        ),
        // Records the git commit at build time (scripts/git-commit-source).
        .plugin(name: "GitCommit", capability: .buildTool()),
        .target(
            name: "Daemon",
            dependencies: [
                "Resolver", "ControlProto", "DNSProto", "CDatagramBatch",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // TLS: DoT/DoH listeners and the certificate store (docs/tls.md).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "X509", package: "swift-certificates"),
                // dnstap's messages (Sources/Daemon/Dnstap/dnstap.pb.swift, scripts/generate-dnstap).
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                // Blocklists fetched over HTTP(S) (Config/BlocklistFetcher.swift).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "dnsd",
            dependencies: [
                "Daemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dnsctl",
            dependencies: [
                "ControlProto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        // dnsconsole: ConsoleCore is the plain-Swift view model (unit-tested); Console draws it with curses.
        .target(name: "ConsoleCore", dependencies: ["ControlProto"]),
        .executableTarget(
            name: "Console",
            dependencies: [
                "ControlProto", "ConsoleCore", "CNCurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DNSProtoTests", dependencies: ["DNSProto"]),
        .testTarget(name: "ControlProtoTests", dependencies: ["ControlProto"]),
        .testTarget(name: "ConsoleTests", dependencies: ["ConsoleCore", "ControlProto"]),
        .testTarget(
            name: "ResolverTests",
            dependencies: ["Resolver", "DNSProto", .product(name: "NIOEmbedded", package: "swift-nio")],
            // Fixtures/DNSSEC: zones signed by BIND's dnssec-signzone (its generate.sh).
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "IntegrationTests",
            // Daemon, Resolver and Prometheus: the metrics observer's cost test (MetricsObserverCostTests);
            // CDatagramBatch: the batched send on real sockets (DatagramBatchSendTests).
            dependencies: ["DNSProto", "ControlProto", "Daemon", "Resolver", "CDatagramBatch",
                           .product(name: "Prometheus", package: "swift-prometheus")],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
