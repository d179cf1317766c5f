// swift-tools-version:6.1
// libFuzzer harnesses for dnsd's parsers of outside bytes. A separate package so that
// `--sanitize=fuzzer` applies to the harnesses and dnsd's code, not to the daemon build.
// The harnesses reach internal parsers with `@testable import`: build with
// `-Xswiftc -enable-testing` (README.md).
import PackageDescription

let package = Package(
    name: "dnsd-fuzz",
    dependencies: [
        .package(name: "dnsd", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    ],
    targets: [
        .executableTarget(
            name: "MessageFuzzer",
            dependencies: [.product(name: "DNSProto", package: "dnsd")]
        ),
        .executableTarget(
            name: "ZoneFuzzer",
            dependencies: [.product(name: "DNSProto", package: "dnsd")]
        ),
        .executableTarget(
            name: "PacketQueryFuzzer",
            dependencies: [.product(name: "DNSProto", package: "dnsd"), .product(name: "Resolver", package: "dnsd")]
        ),
        .executableTarget(
            name: "RelayAnswerFuzzer",
            dependencies: [.product(name: "DNSProto", package: "dnsd"), .product(name: "Resolver", package: "dnsd")]
        ),
        .executableTarget(
            name: "HostsFuzzer",
            dependencies: [.product(name: "DNSProto", package: "dnsd"), .product(name: "Resolver", package: "dnsd")]
        ),
        .executableTarget(
            name: "ConfigFuzzer",
            dependencies: [
                .product(name: "Daemon", package: "dnsd"), .product(name: "DNSProto", package: "dnsd"),
                .product(name: "Resolver", package: "dnsd"),
            ]
        ),
        // The daemon the DoH and control harnesses talk to.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "Daemon", package: "dnsd"), .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "DoHFuzzer",
            dependencies: [
                "FuzzSupport",
                .product(name: "Daemon", package: "dnsd"), .product(name: "DNSProto", package: "dnsd"),
                .product(name: "Resolver", package: "dnsd"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ControlFuzzer",
            dependencies: [
                "FuzzSupport",
                .product(name: "Daemon", package: "dnsd"), .product(name: "ControlProto", package: "dnsd"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
