import DNSProto
import NIOCore
import Resolver

/// YAML for the `hosts` plugin: `{file, inline, ttl, reload, fallthrough}`. With neither
/// `file` nor `inline`, it reads /etc/hosts. A bad `inline` line is a config error; a bad
/// line in the file is logged and skipped (the file is not ours to fix).
enum HostsPluginConfig {
    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let keys = try node.mapping(allowed: ["file", "inline", "ttl", "reload", "fallthrough"])
        var inline: [HostsEntry] = []
        if let inlineNode = keys["inline"] {
            for line in try inlineNode.list() {
                let (entries, problems) = HostsFileParser.parse(try line.string(), file: node.file)
                if let problem = problems.first { throw line.error(problem.message) }
                inline += entries
            }
        }
        var file: String? = nil
        if let fileNode = keys["file"] {
            file = context.resolve(try fileNode.string())
        } else if keys["inline"] == nil {
            file = "/etc/hosts"
        }
        var ttl: UInt32 = 3600
        if let ttlNode = keys["ttl"] { ttl = try CachePluginConfig.seconds(ttlNode) }
        var reload: TimeAmount = .seconds(5)
        if let reloadNode = keys["reload"] {
            reload = try reloadNode.timeAmount(in: .zero ... .seconds(86400))
        }
        let fallsThrough = try keys["fallthrough"]?.bool() ?? true
        do {
            return try HostsPlugin(file: file, inline: inline, ttl: ttl, fallthrough: fallsThrough, reload: reload)
        } catch let problem as HostsProblem {
            throw (keys["file"] ?? node).error(problem.message + " (\(problem.file))")
        }
    }
}
