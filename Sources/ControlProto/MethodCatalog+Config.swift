extension MethodCatalog {
    /// Configuration reload.
    static let configMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "config.reload",
            summary: "Re-read the configuration file and every zone file; apply only if all of it is valid (the cache is kept). `applied` lists the changed keys now in force (log, tcp, http2, edns_udp_size, tls certificates, control roles and limits, access rules, server blocks); `needs_restart` the changed keys that keep their running value until a restart (listen, threads, udp, metrics, user, group, control.socket/mode/group), which are also logged.",
            readOnly: false, example: "dnsctl config.reload",
            exampleResult: #"{"generation": 2, "zones": ["example.com."], "applied": ["log.level", "tcp.max_connections"], "needs_restart": ["threads"], "notes": []}"#),
    ]
}
