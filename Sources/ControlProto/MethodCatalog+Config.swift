extension MethodCatalog {
    /// Configuration reload.
    static let configMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "config.reload",
            summary: "Re-read the configuration file and every zone file; apply only if all of it is valid (the cache is kept). Listener and control-socket changes need a restart and are reported, not applied.",
            readOnly: false, example: "dnsctl config.reload",
            exampleResult: #"{"generation": 2, "zones": ["example.com."], "needs_restart": [], "notes": []}"#),
    ]
}
