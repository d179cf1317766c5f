extension MethodCatalog {
    /// Admission: access rules, response rate limiting, DNS cookies (docs/access.md).
    static let accessMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "acl.stats",
            summary: "Each access rule's matches since start, by rule name and action (allow, block, filter, drop), in the order the rules were first configured; rules named default are the built-in ones.",
            readOnly: true, example: "dnsctl acl.stats",
            exampleResult: #"[{"rule": "office", "action": "allow", "matches": 5120}, {"rule": "default", "action": "block", "matches": 17}]"#),
        MethodDescriptor(
            name: "rrl.list",
            summary: "The client networks response rate limiting has limited, most limited first: network, response kind (answer, nxdomain, referral, error), responses withheld or slipped, and seconds since the last one.",
            parameters: [MethodParameter("limit", "integer", required: false, "how many networks (default 20, at most 1000)")],
            readOnly: true, example: "dnsctl rrl.list 5",
            exampleResult: #"[{"network": "198.51.100.0/24", "kind": "answer", "limited": 9800, "last_seconds_ago": 0.4}]"#),
        MethodDescriptor(
            name: "cookie.rotate",
            summary: "Make a new DNS cookie secret (random, or the one given) the one server cookies are made with; the previous secret still verifies until the next rotation, so clients are not told BADCOOKIE. With cookies.secret_file the file is rewritten (current and previous), so a restart keeps both.",
            parameters: [MethodParameter("secret", "string", required: false, "32 hexadecimal digits (default: random)")],
            readOnly: false, example: "dnsctl cookie.rotate", exampleResult: #"{"rotated": true, "persisted": true}"#),
    ]
}
