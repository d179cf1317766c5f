import DNSProto
import NIOConcurrencyHelpers
import Resolver
import Yams

/// What plugin factories need besides their own YAML.
struct PluginBuildContext: Sendable {
    /// Directory of the configuration file; relative paths are resolved against it.
    var baseDirectory: String
    /// Work to do only if the whole configuration is accepted (e.g. swap a re-read zone in).
    var commitHooks = CommitHooks()
    /// Files the plugins will write while dnsd runs, checked after the privilege drop.
    var writableFiles = WritableFiles()
    /// `tsig_keys:`: what transfer policies and NOTIFY targets name.
    var tsigKeys = TSIGKeyring()

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + "/" + path
    }
}

/// The plugins a server block can name, and how each is built from its YAML.
enum PluginRegistry {
    typealias Factory = @Sendable (ConfigNode, [DNSName], PluginBuildContext) throws -> any Plugin

    static let factories: [String: Factory] = [
        "zone": ZonePluginConfig.build,
        "secondary": SecondaryPluginConfig.build,
        "cache": CachePluginConfig.build,
        "hosts": HostsPluginConfig.build,
        "forward": ForwardPluginConfig.build,
        "recurse": RecursePluginConfig.build,
    ]

    /// A plugin entry is a one-key mapping `{NAME: {settings}}`, or a bare `NAME`.
    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let known = Set(factories.keys)
        if case .scalar = node.node {
            let name = try node.string()
            guard let factory = factories[name] else { throw node.error("unknown plugin '\(name)' (known: \(known.sorted().joined(separator: ", ")))") }
            // The empty settings carry the name's place, so errors about them name its line.
            let settings = Node.mapping(Node.Mapping([], .implicit, .any, node.node.mark))
            return try factory(ConfigNode(node: settings, file: node.file, path: node.path + "." + name), zones, context)
        }
        let entries = try node.mapping(allowed: known)
        guard entries.count == 1, let (name, settings) = entries.first, let factory = factories[name] else {
            throw node.error("each plugin entry names exactly one plugin")
        }
        return try factory(settings, zones, context)
    }
}

/// Actions a configuration build defers until the configuration is accepted in full.
public final class CommitHooks: Sendable {
    private let hooks = NIOLockedValueBox<[@Sendable () throws -> Void]>([])

    public init() {}

    func add(_ hook: @escaping @Sendable () throws -> Void) { hooks.withLockedValue { $0.append(hook) } }

    /// Runs every hook once; returns the errors of those that failed.
    public func run() -> [Error] {
        let pending = hooks.withLockedValue { hooks -> [@Sendable () throws -> Void] in defer { hooks = [] }; return hooks }
        return pending.compactMap { hook in
            do { try hook(); return nil } catch { return error }
        }
    }
}
