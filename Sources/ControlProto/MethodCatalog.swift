/// Every control method dnsd serves, with its documentation.
///
/// The daemon registers a handler for each entry (and refuses to start if one is missing);
/// `dnsctl` and `dnsconsole` read it to offer help without a running daemon.
public enum MethodCatalog {
    public static let all: [MethodDescriptor] = [
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
            name: "core.ping", summary: "Check that the daemon answers.",
            readOnly: true, example: "dnsctl core.ping", exampleResult: #""pong""#),
        MethodDescriptor(
            name: "core.version", summary: "The daemon's version and build.",
            readOnly: true, example: "dnsctl core.version", exampleResult: #"{"name": "dnsd", "version": "0.1.0"}"#),
        MethodDescriptor(
            name: "core.uptime", summary: "When the daemon started and how long ago.",
            readOnly: true, example: "dnsctl core.uptime",
            exampleResult: #"{"started": "2026-11-22T03:28:28Z", "seconds": 3600}"#),
    ]

    private static let byName: [String: MethodDescriptor] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func descriptor(named name: String) -> MethodDescriptor? { byName[name] }
}
