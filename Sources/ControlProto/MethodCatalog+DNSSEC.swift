extension MethodCatalog {
    /// DNSSEC validation: negative trust anchors and the trust anchors in force (docs/dnssec.md).
    static let dnssecMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "dnssec.nta.add",
            summary: "Add a negative trust anchor (RFC 7646): NAME and every name below it are answered without validation (no AD, never SERVFAIL for being bogus) for DURATION (default 1h, at most 1w). Cached answers and DNSSEC outcomes under NAME are dropped, so it applies at once. Kept across config.reload, not a restart.",
            parameters: [MethodParameter("name", "string", "the domain whose DNSSEC is broken, e.g. example.com"),
                         MethodParameter("duration", "string", required: false, "seconds or BIND-style units (30m, 6h, 2d), 1s to 1w; default 1h")],
            readOnly: false, example: "dnsctl dnssec.nta.add example.com 6h",
            exampleResult: #"{"name": "example.com.", "expires": "2026-12-08T06:00:00Z", "seconds_left": 21600, "flushed": 3}"#),
        MethodDescriptor(
            name: "dnssec.nta.remove",
            summary: "Remove the negative trust anchor for exactly NAME; validation applies again (cached answers under NAME are dropped).",
            parameters: [MethodParameter("name", "string", "the name of the anchor")],
            readOnly: false, example: "dnsctl dnssec.nta.remove example.com", exampleResult: #"{"name": "example.com.", "removed": true}"#),
        MethodDescriptor(
            name: "dnssec.nta.list",
            summary: "The negative trust anchors in force: name, expiry and seconds left.",
            readOnly: true, example: "dnsctl dnssec.nta.list",
            exampleResult: #"[{"name": "example.com.", "expires": "2026-12-08T06:00:00Z", "seconds_left": 21540}]"#),
        MethodDescriptor(
            name: "dnssec.trust_anchors",
            summary: "The trust anchors validation starts from, per recurse plugin: owner, record type (DS or DNSKEY), key tag, algorithm, digest type (DS), and the source (built-in or the trust_anchor_file path).",
            readOnly: true, example: "dnsctl dnssec.trust_anchors",
            exampleResult: #"[{"block": ".", "owner": ".", "type": "DS", "key_tag": 20326, "algorithm": 8, "digest_type": 2, "source": "built-in"}]"#),
    ]
}
