extension MethodCatalog {
    /// Blocklists: why a name is blocked, pausing, per-list counts (docs/policy.md).
    static let policyMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "policy.check",
            summary: "Whether NAME is blocked for CLIENT (default: a client in no group), and why: the list, the rule (the name it matched, which covers every name below it), its line and file; or why not: no rule, an exception or allowlist entry that outranks the block, a list that does not apply to the client's group, or a pause. Every list's say is in 'lists'.",
            parameters: [MethodParameter("name", "string", "the domain name, e.g. ads.example.com"),
                         MethodParameter("client", "string", required: false, "the client's IP address, which picks its group")],
            readOnly: true, example: "dnsctl policy.check ads.example.com 192.168.1.20",
            exampleResult: #"{"name": "ads.example.com.", "client": "192.168.1.20", "group": "kids", "blocked": true, "list": "ads", "rule": "example.com.", "line": 12, "file": "/etc/dnsd/lists/ads.txt", "answer": "nxdomain", "reason": "list ads blocks example.com. and every name below it (line 12)", "lists": [{"list": "ads", "applies": true, "blocks": {"rule": "example.com.", "line": 12}}]}"#),
        MethodDescriptor(
            name: "policy.pause",
            summary: "Stop blocking for SECONDS (default: until policy.resume); answers are then resolved as if no list existed. A pause survives config.reload, not a restart.",
            parameters: [MethodParameter("seconds", "integer", required: false, "how long, 1 to 86400 (default: until resumed)")],
            readOnly: false, example: "dnsctl policy.pause 300", exampleResult: #"{"paused": true, "seconds_left": 300}"#),
        MethodDescriptor(
            name: "policy.resume",
            summary: "Block again after policy.pause.",
            readOnly: false, example: "dnsctl policy.resume", exampleResult: #"{"paused": false}"#),
        MethodDescriptor(
            name: "policy.lists",
            summary: "The blocklists in force: each list's file, rules and exceptions loaded, lines skipped (with the first few and why) and queries blocked since start, and for a list with a url its refresh interval, last download, last attempt, last error and next attempt; the groups and their clients and lists; the answer blocked names get; whether blocking is paused.",
            readOnly: true, example: "dnsctl policy.lists",
            exampleResult: #"{"answer": "nxdomain", "paused": false, "lists": [{"name": "ads", "file": "/etc/dnsd/lists/ads.txt", "allow": false, "rules": 120000, "exceptions": 12, "skipped": 3, "first_skipped": [{"line": 40, "reason": "an adblock rule other than ||name^"}], "blocked": 5120}], "groups": [{"name": "default", "clients": [], "lists": ["ads"]}]}"#),
    ]
}
