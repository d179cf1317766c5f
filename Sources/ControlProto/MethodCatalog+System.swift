extension MethodCatalog {
    /// Introspection of the catalog itself.
    static let systemMethods: [MethodDescriptor] = [
        MethodDescriptor(
            name: "system.listMethods", summary: "List the names of every control method.",
            readOnly: true, example: "dnsctl system.listMethods", exampleResult: #"["core.ping", "core.uptime", ...]"#),
        MethodDescriptor(
            name: "system.methodHelp", summary: "Describe one method: parameters, role, example.",
            parameters: [MethodParameter("method", "string", "the method's name")],
            readOnly: true, example: "dnsctl system.methodHelp core.uptime", exampleResult: #""core.uptime()  (read-only)\n  ...""#),
        MethodDescriptor(
            name: "system.methodSignature", summary: "The method's parameters with their types.",
            parameters: [MethodParameter("method", "string", "the method's name")],
            readOnly: true, example: "dnsctl system.methodSignature system.methodHelp",
            exampleResult: #"{"name": "system.methodHelp", "params": [{"name": "method", "type": "string", "required": true}], "readOnly": true}"#),
        MethodDescriptor(
            name: "system.whoami", summary: "The caller's role on this connection (admin or read-only) and the uid, gid and pid the socket reported.",
            readOnly: true, example: "dnsctl system.whoami", exampleResult: #"{"role": "read-only", "uid": 1000, "gid": 1000, "pid": 4242}"#),
    ]
}
