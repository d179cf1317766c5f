import ControlProto
#if canImport(Glibc)
import Glibc
#endif

/// The `control:` section: where the JSON-RPC socket lives and who may open it.
public struct ControlSettings: Sendable {
    public var socketPath: String = ControlSocketPath.defaultPath
    /// File mode of the socket; the group (if set) gets what the mode grants it.
    public var mode: mode_t = 0o660
    public var group: String?
    /// Connections and subscriptions, in all and for read-only callers (ControlQuota.swift).
    public var limits = ControlLimits()
    public var maxRequestBytes = 1 << 20
    public var idleTimeout: Duration = .seconds(600)
    public var access = ControlAccess()

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> ControlSettings {
        var settings = ControlSettings()
        let keys = try node.mapping(allowed: ["socket", "mode", "group", "max_connections", "max_read_only_connections", "max_subscriptions",
                                              "max_read_only_subscriptions", "max_request_bytes", "idle_timeout", "admins", "readers"])
        if let socket = keys["socket"] {
            let path = try socket.string()
            guard !path.isEmpty else { throw socket.error("the socket path is empty") }
            settings.socketPath = path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + "/" + path
        }
        if let mode = keys["mode"] {
            let text = try mode.string()
            guard let value = mode_t(text, radix: 8), value <= 0o777 else { throw mode.error("expected an octal mode like \"0660\", found '\(text)'") }
            settings.mode = value
        }
        if let group = keys["group"] {
            settings.group = try group.string()
            // Members of the socket's group can open it; by default they may read, not act.
            guard let entry = getgrnam(settings.group!) else { throw group.error("unknown group '\(settings.group!)'") }
            settings.access.readerGroups.insert(entry.pointee.gr_gid)
        }
        if let admins = keys["admins"] {
            let members = try ControlAccess.parseMembers(admins)
            settings.access.adminUsers = members.users
            settings.access.adminGroups = members.groups
        }
        if let readers = keys["readers"] {
            let members = try ControlAccess.parseMembers(readers)
            settings.access.readerUsers.formUnion(members.users)
            settings.access.readerGroups.formUnion(members.groups)
        }
        settings.limits = try parseLimits(keys)
        if let max = keys["max_request_bytes"] { settings.maxRequestBytes = try max.int(in: 1024...(64 << 20)) }
        if let idle = keys["idle_timeout"] { settings.idleTimeout = try idle.duration(in: .milliseconds(1) ... .seconds(86400)) }
        return settings
    }

    /// The read-only caps must stay below the totals: what is left is kept for admins.
    private static func parseLimits(_ keys: [String: ConfigNode]) throws -> ControlLimits {
        var limits = ControlLimits()
        if let max = keys["max_connections"] { limits.maxConnections = try max.int(in: 1...10_000) }
        if let max = keys["max_subscriptions"] { limits.maxSubscriptions = try max.int(in: 1...10_000) }
        limits.maxReadOnlyConnections = min(limits.maxReadOnlyConnections, limits.maxConnections - 1)
        limits.maxReadOnlySubscriptions = min(limits.maxReadOnlySubscriptions, limits.maxSubscriptions - 1)
        if let max = keys["max_read_only_connections"] {
            limits.maxReadOnlyConnections = try belowTotal(max, total: limits.maxConnections, name: "max_connections")
        }
        if let max = keys["max_read_only_subscriptions"] {
            limits.maxReadOnlySubscriptions = try belowTotal(max, total: limits.maxSubscriptions, name: "max_subscriptions")
        }
        return limits
    }

    private static func belowTotal(_ node: ConfigNode, total: Int, name: String) throws -> Int {
        let value = try node.int(in: 0...10_000)
        guard value < total else {
            throw node.error("\(value) must be below control.\(name) (\(total)): what is left is kept for admins")
        }
        return value
    }
}
