import DNSProto
import Foundation
import NIOCore
import Resolver

/// YAML for the `recurse` plugin: `{hints, timeout, qname_minimisation, case_randomization,
/// edns_udp_size, ipv6, infrastructure_cache_size, max_referrals, max_ns_fetches, max_queries,
/// time_budget, max_cnames, max_concurrent, dnssec, trust_anchor_file, port}`, all optional (defaults in `RecursionSettings`/`RecursionLimits`,
/// listed in docs/recursion.md). `port` sends every query to that port instead of 53, which
/// only a lab hierarchy on loopback needs (docs/plugins/recurse.md says so).
enum RecursePluginConfig {
    static let keys: Set<String> = ["hints", "timeout", "qname_minimisation", "case_randomization", "edns_udp_size", "ipv6",
                                    "infrastructure_cache_size", "max_referrals", "max_ns_fetches", "max_queries",
                                    "time_budget", "max_cnames", "max_concurrent", "dnssec", "trust_anchor_file", "port"]

    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        RecursePlugin(settings: try settings(node, context: context))
    }

    static func settings(_ node: ConfigNode, context: PluginBuildContext) throws -> RecursionSettings {
        let keys = try node.mapping(allowed: Self.keys)
        var settings = RecursionSettings()
        if let value = keys["hints"] {
            let path = context.resolve(try value.string())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw value.error("cannot read root hints file '\(path)'")
            }
            do {
                settings.hints = try RootHints.parse(text: String(decoding: data, as: UTF8.self), file: path)
            } catch {
                throw value.error("\(error)")
            }
        }
        if let value = keys["port"] { settings.port = try value.int(in: 1...65535) }
        if let value = keys["timeout"] { settings.timeout = try value.timeAmount(in: .milliseconds(10) ... .seconds(30)) }
        if let value = keys["qname_minimisation"] { settings.qnameMinimisation = try value.bool() }
        if let value = keys["case_randomization"] { settings.caseRandomization = try value.bool() }
        if let value = keys["edns_udp_size"] { settings.ednsUDPSize = UInt16(try value.int(in: 512...4096)) }
        if let value = keys["ipv6"] { settings.ipv6 = try value.bool() }
        if let value = keys["infrastructure_cache_size"] { settings.infrastructureCacheSize = try value.int(in: 16...10_000_000) }
        if let value = keys["max_referrals"] { settings.limits.maxReferrals = try value.int(in: 1...1000) }
        if let value = keys["max_ns_fetches"] { settings.limits.maxNSFetches = try value.int(in: 0...100) }
        if let value = keys["max_queries"] { settings.limits.maxQueries = try value.int(in: 1...10_000) }
        if let value = keys["time_budget"] { settings.limits.timeBudget = try value.timeAmount(in: .milliseconds(100) ... .seconds(120)) }
        if let value = keys["max_cnames"] { settings.limits.maxCNAMEs = try value.int(in: 0...100) }
        if let value = keys["max_concurrent"] { settings.maxConcurrent = try value.int(in: 1...1_000_000) }
        if let value = keys["dnssec"] {
            let text = try value.string()
            guard let mode = DNSSECMode(rawValue: text) else {
                throw value.error("dnssec must be one of \(DNSSECMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            settings.dnssec = mode
        }
        if let value = keys["trust_anchor_file"] {
            let path = context.resolve(try value.string())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw value.error("cannot read trust anchor file '\(path)'")
            }
            do {
                settings.trustAnchors = try TrustAnchors.parse(text: String(decoding: data, as: UTF8.self), file: path)
            } catch {
                throw value.error("\(error)")
            }
        }
        return settings
    }
}
