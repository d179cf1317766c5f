import DNSProto
import Resolver

/// Builds one `servers:` entry: its zones and its plugin chain, in order.
enum ServerBlockBuilder {
    static func build(_ node: ConfigNode, context: PluginBuildContext) throws -> ServerBlock {
        let keys = try node.mapping(allowed: ["zones", "plugins", "acl", "dnstap"])
        guard let zonesNode = keys["zones"] else { throw node.error("missing 'zones' (e.g. zones: [example.com.])") }
        var zones: [DNSName] = []
        for entry in try zonesNode.list() {
            let text = try entry.string()
            do { zones.append(try DNSName(text.hasSuffix(".") ? text : text + ".")) } catch {
                throw entry.error("'\(text)' is not a domain name: \(error)")
            }
        }
        guard !zones.isEmpty else { throw zonesNode.error("a server block needs at least one zone") }
        guard let pluginsNode = keys["plugins"] else { throw node.error("missing 'plugins' (the chain that answers)") }
        var plugins: [any Plugin] = []
        for entry in try pluginsNode.list() {
            plugins.append(try PluginRegistry.build(entry, zones: zones, context: context))
        }
        let rules = try keys["acl"].map(AccessSettingsParser.rules) ?? []
        let dnstap = try keys["dnstap"].map(tapSelection) ?? .none
        return ServerBlock(zones: zones, plugins: plugins, accessRules: rules, dnstap: dnstap)
    }

    /// `dnstap: {client: true, forwarder: true}`: the messages this block's queries produce
    /// (the top-level `dnstap:` says where they go).
    private static func tapSelection(_ node: ConfigNode) throws -> TapSelection {
        let keys = try node.mapping(allowed: ["client", "forwarder"])
        return TapSelection(client: try keys["client"]?.bool() ?? false, forwarder: try keys["forwarder"]?.bool() ?? false)
    }
}
