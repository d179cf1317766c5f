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
            summary: "Top query names, clients, types and rcodes over the last WINDOW seconds of the event ring, and the names blocklists blocked most (\"blocked\", keyed NAME policy:LIST).",
            parameters: [
                MethodParameter("window", "integer", required: false, "seconds (default 60)"),
                MethodParameter("limit", "integer", required: false, "entries per list (default 10)"),
            ],
            readOnly: true, example: "dnsctl queries.top 300 5",
            exampleResult: #"{"window": 300, "queries": 1234, "names": [{"key": "www.example.com.", "count": 400}], "clients": [...], "types": [...], "rcodes": [...], "blocked": [{"key": "ads.example.com. policy:ads", "count": 12}]}"#),
    ]
}
