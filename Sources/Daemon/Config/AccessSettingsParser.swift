import DNSProto
import Foundation
import Resolver

/// Reads the admission sections of the configuration (docs/access.md): `acl` (top level and
/// per server block), `rrl`, `limits`, `cookies` and `any_over_udp`.
///
/// ```yaml
/// acl:
///   - allow: [loopback, localnets, 192.0.2.0/24]
///   - block: any
///     types: [ANY]
///     name: no-any
/// rrl: {responses_per_second: 200, slip: 2, window: 15s, exempt: [loopback]}
/// limits: {queries_per_second: 0, waiting_per_client: 1000, action: drop}
/// cookies: {secret_file: cookie.secret}
/// any_over_udp: minimal
/// ```
enum AccessSettingsParser {
    /// An `acl:` list. `prefix` names rules without a `name` (`acl[2]`, `servers[0].acl[1]`).
    static func rules(_ node: ConfigNode) throws -> [AccessRule] {
        try node.list().map { entry in
            let keys = try entry.mapping(allowed: Set(AccessRule.Action.allCases.map(\.rawValue) + ["types", "name"]))
            let actions = AccessRule.Action.allCases.filter { keys[$0.rawValue] != nil }
            guard actions.count == 1, let action = actions.first, let clientsNode = keys[action.rawValue] else {
                throw entry.error("a rule needs exactly one of allow, block, filter or drop (found \(actions.count))")
            }
            var clients: [AccessRule.Clients] = []
            for client in try clientsNode.list() {
                let text = try client.string()
                guard let parsed = AccessRule.Clients(text) else {
                    throw client.error("expected a network like 192.0.2.0/24 or 2001:db8::/32, or any, loopback or localnets; found '\(text)'")
                }
                clients.append(parsed)
            }
            guard !clients.isEmpty else { throw clientsNode.error("a rule needs at least one client network") }
            var types: Set<UInt16>?
            if let typesNode = keys["types"] {
                var set = Set<UInt16>()
                for type in try typesNode.list() {
                    let text = try type.string()
                    guard let parsed = RecordType(mnemonic: text) else { throw type.error("unknown record type '\(text)'") }
                    set.insert(parsed.rawValue)
                }
                types = set
            }
            let name = try keys["name"]?.string() ?? entry.path
            return AccessRule(name: name, action: action, clients: clients, types: types)
        }
    }

    static func rrl(_ node: ConfigNode) throws -> RRLSettings {
        let keys = try node.mapping(allowed: ["responses_per_second", "nxdomains_per_second", "referrals_per_second", "errors_per_second",
                                              "window", "slip", "ipv4_prefix", "ipv6_prefix", "exempt", "table_size"])
        var settings = RRLSettings()
        if let value = keys["responses_per_second"] { settings.responsesPerSecond = try value.int(in: 0...1_000_000) }
        if let value = keys["nxdomains_per_second"] { settings.nxdomainsPerSecond = try value.int(in: 0...1_000_000) }
        if let value = keys["referrals_per_second"] { settings.referralsPerSecond = try value.int(in: 0...1_000_000) }
        if let value = keys["errors_per_second"] { settings.errorsPerSecond = try value.int(in: 0...1_000_000) }
        if let value = keys["window"] { settings.window = try value.duration(in: .seconds(1) ... .seconds(3600)) }
        if let value = keys["slip"] { settings.slip = try value.int(in: 0...10) }
        if let value = keys["ipv4_prefix"] { settings.ipv4PrefixLength = try value.int(in: 8...32) }
        if let value = keys["ipv6_prefix"] { settings.ipv6PrefixLength = try value.int(in: 16...128) }
        if let value = keys["exempt"] { settings.exempt = try clients(value) }
        if let value = keys["table_size"] { settings.tableSize = try value.int(in: 1024...16_777_216) }
        return settings
    }

    /// The `limits:` section: per-client limits, and the in-flight caps of the UDP workers.
    static func limits(_ node: ConfigNode) throws -> (ClientLimitSettings, InFlightLimits) {
        let keys = try node.mapping(allowed: ["queries_per_second", "waiting_per_client", "waiting_per_cookie_client", "action", "exempt",
                                              "table_size", "relay_waiting", "relay_followers", "miss_waiting", "inflight_action",
                                              "upstream_sockets"])
        var settings = ClientLimitSettings()
        if let value = keys["queries_per_second"] { settings.queriesPerSecond = try value.int(in: 0...10_000_000) }
        if let value = keys["waiting_per_client"] { settings.waitingPerClient = try value.int(in: 0...1_000_000) }
        if let value = keys["waiting_per_cookie_client"] { settings.waitingPerCookieClient = try value.int(in: 1...1_000_000) }
        if let value = keys["action"] { settings.action = try value.choice("action") }
        if let value = keys["exempt"] { settings.exempt = try clients(value) }
        if let value = keys["table_size"] { settings.tableSize = try value.int(in: 1024...16_777_216) }
        var inFlight = InFlightLimits()
        if let value = keys["relay_waiting"] { inFlight.relayWaiting = try value.int(in: 1...1_000_000) }
        if let value = keys["relay_followers"] { inFlight.relayFollowers = try value.int(in: 1...1_000_000) }
        if let value = keys["miss_waiting"] { inFlight.missWaiting = try value.int(in: 1...1_000_000) }
        if let value = keys["inflight_action"] { inFlight.action = try value.choice("inflight_action") }
        if let value = keys["upstream_sockets"] { inFlight.upstreamSockets = try value.int(in: 1...1_000_000) }
        return (settings, inFlight)
    }

    static func anyOverUDP(_ node: ConfigNode) throws -> AdmissionSettings.AnyOverUDP {
        let text = try node.string()
        guard let value = AdmissionSettings.AnyOverUDP(rawValue: text) else {
            throw node.error("any_over_udp is minimal, refuse or pass, found '\(text)'")
        }
        return value
    }

    /// The `cookies:` section: whether cookies are on and where the secret comes from.
    static func cookies(_ node: ConfigNode, baseDirectory: String) throws -> (enabled: Bool, secret: CookieSecretSource) {
        let keys = try node.mapping(allowed: ["enabled", "secret", "secret_file"])
        let enabled = try keys["enabled"]?.bool() ?? true
        if keys["secret"] != nil && keys["secret_file"] != nil { throw node.error("give secret or secret_file, not both") }
        if let secret = keys["secret"] {
            let text = try secret.string()
            guard let bytes = CookieSecretSource.parseHex(text) else {
                throw secret.error("a cookie secret is 32 hexadecimal digits (16 bytes), as `openssl rand -hex 16` prints")
            }
            return (enabled, .inline(bytes))
        }
        if let file = keys["secret_file"] {
            let path = try file.string()
            return (enabled, .file(path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + "/" + path))
        }
        return (enabled, .generated)
    }

    private static func clients(_ node: ConfigNode) throws -> [AccessRule.Clients] {
        try node.list().map { entry in
            let text = try entry.string()
            guard let parsed = AccessRule.Clients(text) else { throw entry.error("expected a network or any, loopback, localnets; found '\(text)'") }
            return parsed
        }
    }
}
