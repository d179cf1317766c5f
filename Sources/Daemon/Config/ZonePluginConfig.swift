import DNSProto
import Resolver

/// YAML for the `zone` plugin: `{file: PATH}` or `{inline: TEXT}`, optional `origin`.
enum ZonePluginConfig {
    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let keys = try node.mapping(allowed: ["file", "inline", "origin"])
        var origin = zones[0]
        if let originNode = keys["origin"] {
            let text = try originNode.string()
            do { origin = try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
                throw originNode.error("'\(text)' is not a domain name: \(error)")
            }
        }
        let zone: AuthoritativeZone
        switch (keys["file"], keys["inline"]) {
        case (let file?, nil):
            zone = try ZoneLoader.load(path: context.resolve(try file.string()), origin: origin)
        case (nil, let inline?):
            let line = inline.node.mark?.line ?? 0
            zone = try ZoneLoader.parse(text: try inline.string(), file: "\(node.file) (zone \(origin) inline at line \(line))", origin: origin)
        default:
            throw node.error("the zone plugin needs exactly one of 'file' or 'inline'")
        }
        return ZonePlugin(zone: zone)
    }
}
