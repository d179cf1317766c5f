extension MethodCatalog {
    /// Liveness and identity of the daemon.
    static let coreMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "core.ping", summary: "Check that the daemon answers.",
            readOnly: true, example: "dnsctl core.ping", exampleResult: #""pong""#),
        MethodDescriptor(
            name: "core.version", summary: "The daemon's version and build.",
            readOnly: true, example: "dnsctl core.version", exampleResult: #"{"name": "dnsd", "version": "0.1.0", "commit": "5ec2055d1f3a"}"#),
        MethodDescriptor(
            name: "core.uptime", summary: "When the daemon started and how long ago.",
            readOnly: true, example: "dnsctl core.uptime",
            exampleResult: #"{"started": "2026-11-22T03:28:28Z", "seconds": 3600}"#),
    ]
}
