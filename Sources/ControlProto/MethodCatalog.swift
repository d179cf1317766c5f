/// Every control method dnsd serves, with its documentation.
///
/// The daemon registers a handler for each entry (and refuses to start if one is missing);
/// `dnsctl` and `dnsconsole` read it to offer help without a running daemon.
public enum MethodCatalog {
    /// Areas in the order `system.listMethods` documentation groups them; each area's
    /// methods live in their own file (MethodCatalog+AREA.swift).
    public static let all: [MethodDescriptor] =
        systemMethods + coreMethods + statsMethods + queryMethods + configMethods + zoneMethods + cacheMethods + upstreamMethods + tlsMethods
        + accessMethods + policyMethods + logMethods + dnssecMethods

    private static let byName: [String: MethodDescriptor] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func descriptor(named name: String) -> MethodDescriptor? { byName[name] }
}
