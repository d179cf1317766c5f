import DNSProto
import Foundation
import NIOCore
import Resolver

/// YAML for the `forward` plugin:
/// `{to: [udp://IP, tls://IP@name, https://host/dns-query@IP, /etc/resolv.conf], policy,
/// timeout, max_fails, health_check, idle_timeout, case_randomization, edns_udp_size, tls_ca,
/// ecs: {mode, ipv4_prefix, ipv6_prefix}, except: [names]}`. A bare list is taken as `to`.
enum ForwardPluginConfig {
    static let keys: Set<String> = ["to", "policy", "timeout", "max_fails", "health_check", "idle_timeout",
                                    "case_randomization", "edns_udp_size", "tls_ca", "ecs", "except"]

    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let settings: [String: ConfigNode]
        if case .mapping = node.node {
            settings = try node.mapping(allowed: keys)
        } else {
            settings = ["to": node]
        }
        guard let toNode = settings["to"] else { throw node.error("the forward plugin needs 'to' (e.g. to: [udp://192.0.2.53])") }
        var addresses: [(UpstreamAddress, ConfigNode)] = []
        for entry in try toNode.list() {
            let text = try entry.string()
            if text.hasPrefix("/") || !text.contains("://") {
                let path = context.resolve(text)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw entry.error("cannot read resolv.conf file '\(path)'")
                }
                let servers = ResolvConf.nameservers(in: String(decoding: data, as: UTF8.self))
                guard !servers.isEmpty else { throw entry.error("'\(path)' has no usable nameserver lines") }
                for server in servers { addresses.append((try parse(server, entry), entry)) }
            } else {
                addresses.append((try parse(text, entry), entry))
            }
        }
        guard !addresses.isEmpty else { throw toNode.error("'to' lists no upstream") }
        var seen = Set<String>()
        for (address, entry) in addresses where !seen.insert(address.description).inserted {
            throw entry.error("upstream \(address) is listed twice")
        }

        var policy = UpstreamPolicy.sequential
        if let policyNode = settings["policy"] {
            let text = try policyNode.string()
            guard let value = UpstreamPolicy(rawValue: text) else {
                throw policyNode.error("unknown policy '\(text)' (expected one of: \(UpstreamPolicy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            policy = value
        }
        let timeout = try settings["timeout"]?.timeAmount(in: .milliseconds(1) ... .seconds(60)) ?? .seconds(2)
        let healthCheck = try settings["health_check"]?.timeAmount(in: .milliseconds(1) ... .seconds(3600)) ?? .seconds(5)
        let idleTimeout = try settings["idle_timeout"]?.timeAmount(in: .milliseconds(1) ... .seconds(86400)) ?? .seconds(10)
        let maxFails = try settings["max_fails"]?.int(in: 0...1000) ?? 3
        let caseRandomization = try settings["case_randomization"]?.bool() ?? false
        let ednsUDPSize = UInt16(try settings["edns_udp_size"]?.int(in: 512...4096) ?? 1232)

        var tlsCA: [UInt8]?
        if let caNode = settings["tls_ca"] {
            let path = context.resolve(try caNode.string())
            guard let data = FileManager.default.contents(atPath: path) else { throw caNode.error("cannot read CA file '\(path)'") }
            tlsCA = Array(data)
        }

        var ecs = ForwardPlugin.ClientSubnetPolicy()
        if let ecsNode = settings["ecs"] {
            let ecsKeys = try ecsNode.mapping(allowed: ["mode", "ipv4_prefix", "ipv6_prefix"])
            if let modeNode = ecsKeys["mode"] {
                let text = try modeNode.string()
                guard let mode = ForwardPlugin.ClientSubnetPolicy.Mode(rawValue: text) else {
                    throw modeNode.error("unknown ecs mode '\(text)' (expected add, pass or strip)")
                }
                ecs.mode = mode
            }
            if let v4 = ecsKeys["ipv4_prefix"] { ecs.ipv4Prefix = UInt8(try v4.int(in: 0...32)) }
            if let v6 = ecsKeys["ipv6_prefix"] { ecs.ipv6Prefix = UInt8(try v6.int(in: 0...128)) }
        }

        var except: [DNSName] = []
        if let exceptNode = settings["except"] {
            for entry in try exceptNode.list() {
                let text = try entry.string()
                do { except.append(try DNSName(text.hasSuffix(".") ? text : text + ".")) } catch {
                    throw entry.error("'\(text)' is not a domain name: \(error)")
                }
            }
        }

        var upstreams: [Upstream] = []
        for (address, entry) in addresses {
            do {
                upstreams.append(try Upstream.make(address, tlsCA: tlsCA, idleTimeout: idleTimeout,
                                                   maxFails: maxFails, healthCheck: healthCheck))
            } catch {
                // A bad CA file is the likely cause for TLS upstreams: point at it.
                let culprit = address.kind == .tls || address.kind == .https ? settings["tls_ca"] ?? entry : entry
                throw culprit.error("cannot set up upstream \(address): \(error)")
            }
        }
        let pool = UpstreamPool(upstreams: upstreams, policy: policy, timeout: timeout)
        return ForwardPlugin(pool: pool, except: except, caseRandomization: caseRandomization,
                             ednsUDPSize: ednsUDPSize, ecs: ecs)
    }

    private static func parse(_ text: String, _ node: ConfigNode) throws -> UpstreamAddress {
        do { return try UpstreamAddress.parse(text) } catch { throw node.error(error.description) }
    }
}
