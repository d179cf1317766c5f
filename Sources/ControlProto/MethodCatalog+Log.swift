extension MethodCatalog {
    /// The query log file (docs/observability.md).
    static let logMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "log.reopen",
            summary: "Close the query log file and open its path again (creating it, mode 0640), for logrotate's postrotate after it moved the file away; answers once the writer has reopened it, so no line is lost: earlier lines are in the moved file, later ones in the new file. SIGHUP reopens it too.",
            readOnly: false, example: "dnsctl log.reopen",
            exampleResult: #"{"reopened": true, "file": "/var/log/dnsd/queries.jsonl", "written": 18342, "dropped": 0}"#),
    ]
}
