extension MethodCatalog {
    /// Authoritative zones and durable edits (docs/zone-edits.md).
    static let zoneMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "zone.list",
            summary: "Every zone served: origin, SOA serial, record count, file, journal size, whether the journal holds edits the file lacks (dirty), the oldest serial IXFR answers with a diff (ixfr_from, null: none) and the NOTIFY targets. A secondary zone (secondary: true) shows its primaries, the primary and time of the last transfer, the last contact, the next refresh, when it expires (expired: answering SERVFAIL) and the last refresh error.",
            readOnly: true, example: "dnsctl zone.list",
            exampleResult: #"[{"zone": "example.test.", "serial": 2026010105, "records": 42, "file": "/etc/dnsd/example.test.zone", "journal_bytes": 912, "journal_entries": 4, "dirty": true, "editable": true, "ixfr_from": 2026010101, "notify": ["192.0.2.53@53"]}]"#),
        MethodDescriptor(
            name: "zone.show",
            summary: "The zone in zone-file format, as compaction would write it (a secondary zone: the version it serves).",
            parameters: [MethodParameter("zone", "string", "the zone's origin, e.g. example.test.")],
            readOnly: true, example: "dnsctl zone.show example.test.",
            exampleResult: #""$ORIGIN example.test.\n$TTL 3600\n@\tIN\tSOA\tns1.example.test. hostmaster.example.test. 2026010105 7200 3600 1209600 300\n...""#),
        MethodDescriptor(
            name: "zone.get",
            summary: "The records owned by a name (of one type if given), from the zone that holds the name.",
            parameters: [MethodParameter("name", "string", "an absolute name, e.g. www.example.test."),
                         MethodParameter("type", "string", required: false, "a record type, e.g. A")],
            readOnly: true, example: "dnsctl zone.get www.example.test. A",
            exampleResult: #"{"zone": "example.test.", "name": "www.example.test.", "records": ["www.example.test. 600 IN A 192.0.2.80"]}"#),
        MethodDescriptor(
            name: "zone.add",
            summary: "Add records (zone-file syntax, names relative to the zone, no TTL = the RRset's TTL or else the SOA MINIMUM). Journaled and fsynced before the reply; the SOA serial goes up by one. Inside zone.begin they are staged instead. Refused for a DNSSEC-signed zone (dnsd does not sign online).",
            parameters: [MethodParameter("zone", "string", "the zone's origin"),
                         MethodParameter("records", "array", "one record per argument, e.g. \"www2 300 IN A 192.0.2.9\"")],
            readOnly: false, example: #"dnsctl zone.add example.test. "www2 300 IN A 192.0.2.9" "www2 300 IN AAAA 2001:db8::9""#,
            exampleResult: #"{"zone": "example.test.", "serial": 2026010106, "added": 2, "deleted": 0, "changed": true}"#),
        MethodDescriptor(
            name: "zone.delete",
            summary: "Delete the records at a name: all of them, those of one type, or the one with the given RDATA. Deleting nothing succeeds with deleted 0 and leaves the serial alone. Refused for a DNSSEC-signed zone.",
            parameters: [MethodParameter("zone", "string", "the zone's origin"),
                         MethodParameter("name", "string", "the owner, relative to the zone or absolute"),
                         MethodParameter("type", "string", required: false, "only records of this type"),
                         MethodParameter("rdata", "string", required: false, "only the record with this RDATA (zone-file syntax)")],
            readOnly: false, example: #"dnsctl zone.delete example.test. _acme-challenge TXT "\"token\"""#,
            exampleResult: #"{"zone": "example.test.", "serial": 2026010107, "added": 0, "deleted": 1, "changed": true}"#),
        MethodDescriptor(
            name: "zone.begin",
            summary: "Start a transaction on this connection: later zone.add/zone.delete for the zone are staged and applied together at zone.commit. Closing the connection aborts it.",
            parameters: [MethodParameter("zone", "string", "the zone's origin")],
            readOnly: false, example: "dnsctl zone.begin example.test.  (useful on a persistent connection, e.g. dnsconsole or a JSON-RPC batch)",
            exampleResult: #"{"zone": "example.test.", "transaction": "open"}"#),
        MethodDescriptor(
            name: "zone.commit",
            summary: "Apply the staged edits as one change: validated whole, journaled, one serial bump; or refused whole, naming the record.",
            parameters: [MethodParameter("zone", "string", "the zone's origin")],
            readOnly: false, example: "dnsctl zone.commit example.test.",
            exampleResult: #"{"zone": "example.test.", "serial": 2026010108, "added": 3, "deleted": 1, "changed": true}"#),
        MethodDescriptor(
            name: "zone.abort",
            summary: "Discard this connection's staged edits for the zone.",
            parameters: [MethodParameter("zone", "string", "the zone's origin")],
            readOnly: false, example: "dnsctl zone.abort example.test.",
            exampleResult: #"{"zone": "example.test.", "discarded": 2}"#),
        MethodDescriptor(
            name: "zone.retransfer",
            summary: "Transfer a secondary zone from its primaries now, whatever their serial; returns at once (zone.list shows the outcome: last_transfer, last_error).",
            parameters: [MethodParameter("zone", "string", "the secondary zone's origin")],
            readOnly: false, example: "dnsctl zone.retransfer example.test.",
            exampleResult: #"{"zone": "example.test.", "started": true}"#),
        MethodDescriptor(
            name: "zone.reload",
            summary: "Re-read the zone file and replay its journal. A bad file leaves the running zone in place and the error names file:line:column.",
            parameters: [MethodParameter("zone", "string", "the zone's origin")],
            readOnly: false, example: "dnsctl zone.reload example.test.",
            exampleResult: #"{"zone": "example.test.", "serial": 2026010108, "records": 44, "journal_entries": 0}"#),
    ]
}
