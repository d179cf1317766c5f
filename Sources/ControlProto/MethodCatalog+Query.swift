extension MethodCatalog {
    /// The live query stream and summaries of it.
    static let queryMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "queries.subscribe",
            summary: "Stream answered queries to this connection as `queries.event` notifications until queries.unsubscribe or close. Each event has time, client, transport, name, type, rcode, latency_us, source, tc, do, size, and dnssec (secure, insecure, bogus, indeterminate; null when not validated) with dnssec_reason for bogus. Events a slow reader could not take are counted in `missed`. Open streams are capped (control.max_subscriptions; control.max_read_only_subscriptions for read-only callers): past the cap the call fails with -32003.",
            parameters: [
                MethodParameter("suffix", "string", required: false, "only names at or below this name"),
                MethodParameter("client", "string", required: false, "only this client IP address"),
                MethodParameter("rcode", "string", required: false, "only this rcode, e.g. NXDOMAIN"),
                MethodParameter("min_latency_ms", "integer", required: false, "only queries at least this slow"),
                MethodParameter("sample", "integer", required: false, "keep each matching event with probability 1/N (default 1: all)"),
            ],
            readOnly: true, example: "dnsctl queries.subscribe example.com.",
            exampleResult: #"{"subscription": 1} then {"method": "queries.event", "params": {"subscription": 1, "missed": 0, "events": [{"name": "www.example.com.", "type": "A", "rcode": "NOERROR", "dnssec": "secure", ...}]}}"#),
        MethodDescriptor(
            name: "queries.unsubscribe",
            summary: "Stop a subscription of this connection.",
            parameters: [MethodParameter("subscription", "integer", "the id queries.subscribe returned")],
            readOnly: true, example: "dnsctl queries.unsubscribe 1", exampleResult: #"{"stopped": 1}"#),
        MethodDescriptor(
            name: "queries.top",
            summary: "Top query names, clients, types, rcodes, NXDOMAIN and SERVFAIL names, slow names (500 ms or more), rate-limited clients and blocked names (keyed NAME policy:LIST) over the last WINDOW seconds, up to a day: exact while the event ring holds the window (\"source\": \"ring\"), else from per-minute and per-hour summaries (\"source\": \"tallies\"; each entry's count may be short by at most its \"error\").",
            parameters: [
                MethodParameter("window", "integer", required: false, "seconds, 1 to 86400 (default 60)"),
                MethodParameter("limit", "integer", required: false, "entries per list (default 10)"),
                MethodParameter("kind", "string", required: false, "one list: names, clients, types, rcodes, nxdomain, servfail, slow, limited or blocked (default all)"),
            ],
            readOnly: true, example: "dnsctl queries.top 86400 10 nxdomain",
            exampleResult: #"{"window": 86400, "source": "tallies", "covered": 86400, "queries": 4210933, "missed": 0, "nxdomain": [{"key": "wpad.example.net.", "count": 18211, "error": 96}]}"#),
        MethodDescriptor(
            name: "clients.show",
            summary: "One client over the last WINDOW seconds: from the event ring its queries (count, first and last seen, rcodes, types, transports, latency p50/p99, queries limited or blocked, top names; \"complete\" when the ring holds the whole window), and from the per-minute and per-hour summaries its query count over the whole window (\"summaries\": the estimate, short by at most \"error\").",
            parameters: [
                MethodParameter("address", "string", "the client's IPv4 or IPv6 address"),
                MethodParameter("window", "integer", required: false, "seconds, 1 to 86400 (default 3600)"),
            ],
            readOnly: true, example: "dnsctl clients.show 192.0.2.7 600",
            exampleResult: #"{"client": "192.0.2.7", "window": 600, "recent": {"complete": true, "queries": 412, "first": 1765100000.1, "last_seen": 1765100590.2, "rcodes": {"NOERROR": 400, "NXDOMAIN": 12}, "types": {"A": 300, "AAAA": 112}, "transports": {"udp": 412}, "latency_p50_ms": 0.04, "latency_p99_ms": 21.3, "limited": 0, "blocked": 3, "names": [{"key": "www.example.com.", "count": 120}]}, "summaries": {"queries": 412, "error": 0, "covered": 600}}"#),
    ]
}
