extension MethodCatalog {
    /// The cache plugin's store.
    static let cacheMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "cache.stats",
            summary: "Entries, bytes, hits, misses, evictions, stale answers, prefetches and coalesced queries, per cache (server block); plus the packet cache in front (kind packet) and recursors' infrastructure caches (kind infrastructure).",
            readOnly: true, example: "dnsctl cache.stats",
            exampleResult: #"[{"block": ".", "entries": 5120, "bytes": 2411520, "hits": 90211, "misses": 5120, "hit_ratio": 0.946, ...}]"#),
        MethodDescriptor(
            name: "cache.flush",
            summary: "Remove entries: all of them, one name (every type), one name and type, or a whole subtree (`subtree` = true).",
            parameters: [
                MethodParameter("name", "string", required: false, "the name; omit to flush everything"),
                MethodParameter("type", "string", required: false, "only this type (e.g. AAAA)"),
                MethodParameter("subtree", "boolean", required: false, "flush the name and everything below it"),
            ],
            readOnly: false, example: "dnsctl cache.flush example.com.", exampleResult: #"{"flushed": 3}"#),
        MethodDescriptor(
            name: "cache.lookup",
            summary: "The cached entries for a name and type, with their remaining TTL (negative: stale for that long) and DNSSEC verdict (dnssec: secure, insecure, bogus, indeterminate, null when not validated; dnssec_reason for a cached bogus SERVFAIL); kind \"packet\" marks the wire copies of the packet cache, one per query-flag combination (the only copy of answers the UDP relay filed).",
            parameters: [
                MethodParameter("name", "string", "the name"),
                MethodParameter("type", "string", required: false, "the type (default: every type)"),
            ],
            readOnly: true, example: "dnsctl cache.lookup www.example.com. A",
            exampleResult: #"[{"key": "www.example.com. IN A", "kind": "positive", "rcode": "NOERROR", "ttl": 241, "records": ["www.example.com.\t241\tIN\tA\t192.0.2.1"], "dnssec": "secure"}]"#),
        MethodDescriptor(
            name: "cache.dump",
            summary: "Up to LIMIT entries (default 100, at most 10000), for a look at what is cached.",
            parameters: [MethodParameter("limit", "integer", required: false, "how many entries")],
            readOnly: true, example: "dnsctl cache.dump 20", exampleResult: #"[{"key": "...", "ttl": 57, ...}]"#),
    ]
}
