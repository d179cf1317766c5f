// swift-tools-version:6.1
// libFuzzer harnesses for DNSProto. A separate package so that `--sanitize=fuzzer` applies to
// the harnesses and DNSProto only, not to the daemon and its dependencies. See README.md.
import PackageDescription

let package = Package(
    name: "dnsd-fuzz",
    dependencies: [
        .package(name: "dnsd", path: ".."),
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
    ],
    swiftLanguageModes: [.v6]
)
