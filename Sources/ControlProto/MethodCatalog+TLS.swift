extension MethodCatalog {
    /// DoT/DoH certificates: status and live reload (docs/tls.md).
    static let tlsMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "tls.list",
            summary: "Every configured certificate: the one being served (serial, subject, expiry, days left) and the result of its last reload.",
            readOnly: true, example: "dnsctl tls.list",
            exampleResult: #"[{"name": "main", "serial": "04A1...", "subject": "CN=dns.example", "not_after": "2026-09-01T12:00:00Z", "days_to_expiry": 61, "generation": 3, "last_trigger": "watch", "last_result": "reloaded"}]"#),
        MethodDescriptor(
            name: "tls.info",
            summary: "One certificate in full: subject, SANs, issuer, serial, validity, days to expiry, SHA-256 fingerprint, chain length, files, SNI names, generation, and the last reload (time, trigger, result, error) and last successful one.",
            parameters: [MethodParameter("name", "string", "the certificate's name from the tls: section")],
            readOnly: true, example: "dnsctl tls.info main",
            exampleResult: #"{"name": "main", "subject": "CN=dns.example", "sans": ["dns.example"], "issuer": "CN=R11,O=Let's Encrypt,C=US", "serial": "04A1...", "not_before": "2026-06-03T12:00:00Z", "not_after": "2026-09-01T12:00:00Z", "days_to_expiry": 61, "fingerprint_sha256": "3F:...", "chain_length": 2, "cert": "/etc/letsencrypt/live/dns.example/fullchain.pem", "key": "/etc/letsencrypt/live/dns.example/privkey.pem", "generation": 3, "last_reload": {"at": "2026-07-02T03:00:01Z", "trigger": "watch", "result": "reloaded"}, "last_success": "2026-07-02T03:00:01Z"}"#),
        MethodDescriptor(
            name: "tls.reload",
            summary: "Re-read certificate and key files and serve the new ones to new connections (open connections keep theirs). Each certificate is reloaded, unchanged or failed; a failed one keeps serving the old certificate, and any failure makes the call an error (dnsctl exits 1) whose data lists every certificate with the file and reason.",
            parameters: [MethodParameter("name", "string", required: false, "only this certificate (default: all)"),
                         MethodParameter("allow_shorter_chain", "boolean", required: false, "accept a chain with fewer certificates than the one served (default false)")],
            readOnly: false, example: "dnsctl tls.reload",
            exampleResult: #"{"generation": 4, "trigger": "control", "certificates": [{"name": "main", "result": "reloaded", "serial": "05B2...", "not_after": "2026-10-01T12:00:00Z"}]}"#),
    ]
}
