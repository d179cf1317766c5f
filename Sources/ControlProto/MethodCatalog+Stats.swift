extension MethodCatalog {
    /// Counters and latency.
    static let statsMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "stats.get",
            summary: "Counters since the last stats.reset (queries, answers, latency, udp.batch_wait stops, queries over limits.*) and a few gauges (queries.in_flight, relay.waiting, udp.miss_waiting and their _peak), as flat name = value pairs; never resets anything. With dnstap on, dnstap.sent, dnstap.dropped and dnstap.connected; with the query log on, query_log.written and query_log.dropped; with a validating recurse plugin, dnssec.secure, dnssec.insecure, dnssec.bogus, dnssec.indeterminate and dnssec.budget_exhausted (totals since start); what queries.top's summaries cost since start: top.counted, top.missed and top.cpu_ms.",
            parameters: [MethodParameter("prefix", "string", required: false, "only counters whose name starts with this, e.g. answers.rcode")],
            readOnly: true, example: "dnsctl stats.get answers.rcode",
            exampleResult: #"{"answers.rcode.NOERROR": 1200, "answers.rcode.NXDOMAIN": 31}"#),
        MethodDescriptor(
            name: "stats.reset",
            summary: "Start counting stats.get from zero; the Prometheus counters keep running.",
            readOnly: false, example: "dnsctl stats.reset", exampleResult: #"{"reset_at": "2026-11-22T04:00:00Z"}"#),
        MethodDescriptor(
            name: "latency.histogram",
            summary: "Latency percentiles and log2 buckets (µs): since stats.reset, or over the last WINDOW seconds (up to 63 s from per-second histograms, bucket bounds; longer windows exact from the event ring).",
            parameters: [MethodParameter("window", "integer", required: false, "seconds of recent queries to summarise (from the event ring)")],
            readOnly: true, example: "dnsctl latency.histogram 10",
            exampleResult: #"{"count": 2000, "p50_us": 41, "p90_us": 97, "p99_us": 410, "max_us": 1893, "buckets": [{"le_us": 64, "count": 1500}, ...]}"#),
    ]
}
