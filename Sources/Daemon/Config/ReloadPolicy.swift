import Yams

/// What `config.reload` (and SIGHUP) does with each configuration key: applies it to the running
/// daemon (`live`), or leaves the running value in force and names the key in the reply's
/// `needs_restart` and the log (`restart`). docs/configuration.md's reload column says the same;
/// a test holds the two and the behaviour to each other.
public enum ReloadPolicy {
    public enum Effect: String, Sendable {
        case live
        case restart
    }

    /// Decisions by key path; the longest path that is the key or one of its parents decides
    /// (`control.socket` before `control`). Keys not listed count as `restart`, which is never
    /// a false promise.
    public static let decisions: [String: Effect] = [
        // Bound once: sockets, threads and what dnsd became after binding them.
        "listen": .restart, "threads": .restart, "udp": .restart, "metrics": .restart,
        "user": .restart, "group": .restart,
        // The dnstap writer and its sink are made once; the blocks' `dnstap:` selections are live.
        "dnstap": .restart,
        // So is the query log's writer: its file, rotation, sampling and filters stay as at start.
        "query_log": .restart,
        "control.socket": .restart, "control.mode": .restart, "control.group": .restart,
        // Read per query, per accepted connection or per control connection.
        "servers": .live, "tsig_keys": .live, "acl": .live, "rrl": .live, "limits": .live, "cookies": .live, "any_over_udp": .live, "blocklists": .live,
        "edns_udp_size": .live, "tcp": .live, "http2": .live, "tls": .live, "log": .live, "control": .live,
    ]

    /// The decision for a key path such as `tcp.idle_timeout` or `control.admins.users`.
    public static func effect(of key: String) -> Effect {
        var path = key
        while true {
            if let effect = decisions[path] { return effect }
            guard let dot = path.lastIndex(of: ".") else { return .restart }
            path = String(path[..<dot])
        }
    }

    /// The keys whose values differ between two configurations (`DaemonConfig.keyValues`),
    /// sorted, split by what a reload does with them.
    static func changes(from old: [String: String], to fresh: [String: String]) -> (live: [String], restart: [String]) {
        let changed = Set(old.keys).union(fresh.keys).filter { old[$0] != fresh[$0] }.sorted()
        return (changed.filter { effect(of: $0) == .live }, changed.filter { effect(of: $0) == .restart })
    }

    /// A configuration's values by key path, for `changes`: a section's keys one by one
    /// (`tcp.idle_timeout`, `control.admins`), a list or a single value whole (`listen`, `tls`,
    /// `servers`). Values are compared as written, in a form where the order of mapping keys and
    /// the YAML style (flow or block, quoted or not) make no difference.
    static func keyValues(_ root: Node) -> [String: String] {
        guard case .mapping(let top) = root else { return [:] }
        var values: [String: String] = [:]
        for (key, value) in top {
            guard let name = key.string else { continue }
            if case .mapping(let section) = value {
                for (child, inner) in section {
                    guard let childName = child.string else { continue }
                    values[name + "." + childName] = canonical(inner)
                }
            } else {
                values[name] = canonical(value)
            }
        }
        return values
    }

    private static func canonical(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence): return "[" + sequence.map(canonical).joined(separator: ",") + "]"
        case .mapping(let mapping): return "{" + mapping.map { canonical($0.key) + ":" + canonical($0.value) }.sorted().joined(separator: ",") + "}"
        case .alias(let alias): return "*\(alias)"
        }
    }
}
