extension MethodCatalog {
    /// The forward plugin's upstream servers.
    static let upstreamMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "upstream.list",
            summary: "Every upstream of every forward plugin: state, smoothed RTT, p50/p99, queries, answers by rcode, timeouts, errors, mismatched (UDP answers dropped for not echoing the question sent, under case_randomization its letter case: forgeries, or a server that does not keep case), last error.",
            readOnly: true, example: "dnsctl upstream.list",
            exampleResult: #"[{"block": ".", "name": "tls://9.9.9.9:853@dns.quad9.net", "state": "up", "srtt_ms": 11.2, "queries": 5120, ...}]"#),
        MethodDescriptor(
            name: "upstream.enable",
            summary: "Put an upstream disabled by upstream.disable back in service.",
            parameters: [MethodParameter("name", "string", "the upstream as configured, e.g. udp://192.0.2.53:53")],
            readOnly: false, example: "dnsctl upstream.enable udp://192.0.2.53:53", exampleResult: #"{"name": "udp://192.0.2.53:53", "enabled": true, "plugins": 1}"#),
        MethodDescriptor(
            name: "upstream.disable",
            summary: "Take an upstream out of service (for maintenance) until upstream.enable or a restart.",
            parameters: [MethodParameter("name", "string", "the upstream as configured")],
            readOnly: false, example: "dnsctl upstream.disable udp://192.0.2.53:53", exampleResult: #"{"name": "udp://192.0.2.53:53", "enabled": false, "plugins": 1}"#),
    ]
}
