import DNSProto
import Foundation
import Resolver
import Yams

/// The whole configuration, checked in full: listeners, limits, and server blocks with their
/// plugins already built (zone files read and validated). A value of this type is safe to run.
public struct DaemonConfig: Sendable {
    public var source: String
    public var listeners: [ListenAddress]
    /// Limits of stream connections (TCPSettings.swift).
    public var tcp: TCPSettings
    /// Limits of HTTP/2 connections on `https://` listeners (HTTP2Limits.swift).
    public var http2 = HTTP2Limits()
    /// How the UDP worker threads are scheduled.
    public var udp = UDPSettings()
    /// The UDP payload size advertised in EDNS and the most sent over UDP.
    public var ednsUDPSize: UInt16
    /// Event loops (threads); 0 means one per core.
    public var threads: Int
    /// The log's level and format (LogSettings.swift).
    public var log = LogSettings()
    public var control: ControlSettings
    public var blocks: [ServerBlock]
    /// Deferred work of the plugins (run by `DaemonRuntime.reload` after the swap).
    public var commitHooks = CommitHooks()
    /// Files dnsd writes while it runs (journals, the cookie secret), checked after the drop.
    public var writableFiles = WritableFiles()
    /// The account to run as once the sockets are bound (`user:`/`group:`); nil keeps the
    /// starting user.
    public var account: ServiceAccount?
    /// The Prometheus endpoint; nil (no `metrics:` key) means off.
    public var metrics: MetricsSettings? = nil
    /// Certificates for the DoT and DoH listeners (docs/tls.md).
    public var tls = TLSSettings()
    /// Who may ask and how much: access rules, RRL, client limits, cookies (docs/access.md).
    public var admission = AdmissionSettings()
    public var cookieSecret = CookieSecretSource.generated
    /// Names blocked for some or all clients (docs/policy.md); nil: none.
    public var blocklists: Blocklists?
    /// Where dnstap messages go (docs/observability.md); nil (no `dnstap:` key) means off.
    public var dnstap: DnstapSettings? = nil
    /// The query log file (docs/observability.md); nil (no `query_log:` key) means off.
    public var queryLog: QueryLogSettings? = nil
    /// The values as written, by key path: what `config.reload` compares to tell which keys
    /// changed (ReloadPolicy.swift).
    var keyValues: [String: String] = [:]

    static let topLevelKeys: Set<String> = ["listen", "servers", "tcp", "http2", "udp", "edns_udp_size", "threads", "log", "control", "metrics", "tls",
                                            "acl", "rrl", "limits", "cookies", "any_over_udp", "user", "group", "blocklists", "dnstap", "query_log", "tsig_keys"]

    /// Parses YAML text. `file` names it in errors; relative paths inside resolve against
    /// `baseDirectory`.
    public static func parse(yaml: String, file: String, baseDirectory: String) throws -> DaemonConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, line: 1, column: 1, key: "", message: "the configuration is empty")
            }
            root = node
        } catch let error as YamlError {
            throw Self.locate(error, file: file)
        }
        let top = try ConfigNode(node: root, file: file, path: "").mapping(allowed: topLevelKeys)
        var config = DaemonConfig(source: file, listeners: [], tcp: TCPSettings(), ednsUDPSize: 1232, threads: 0,
                                  control: ControlSettings(), blocks: [])
        config.keyValues = ReloadPolicy.keyValues(root)
        guard let listen = top["listen"] else {
            throw ConfigNode(node: root, file: file, path: "listen").error("missing 'listen' (e.g. listen: [udp://127.0.0.1:53])")
        }
        for entry in try listen.list() {
            switch ListenAddress.parse(try entry.string()) {
            case .success(let address): config.listeners.append(address)
            case .failure(let failure): throw entry.error(failure.message)
            }
        }
        if let tcp = top["tcp"] { config.tcp = try TCPSettings.parse(tcp) }
        if let http2 = top["http2"] { config.http2 = try HTTP2Limits.parse(http2) }
        if let udp = top["udp"] { config.udp = try UDPSettings.parse(udp) }
        if let size = top["edns_udp_size"] { config.ednsUDPSize = UInt16(try size.int(in: 512...4096)) }
        if let threads = top["threads"] { config.threads = try threads.int(in: 0...256) }
        if let log = top["log"] { config.log = try LogSettings.parse(log) }
        if let control = top["control"] { config.control = try ControlSettings.parse(control, baseDirectory: baseDirectory) }
        if let metrics = top["metrics"] { config.metrics = try MetricsSettings.parse(metrics) }
        if let dnstap = top["dnstap"] { config.dnstap = try DnstapSettings.parse(dnstap, baseDirectory: baseDirectory) }
        if let queryLog = top["query_log"] {
            config.queryLog = try QueryLogSettings.parse(queryLog, baseDirectory: baseDirectory, writableFiles: config.writableFiles)
        }
        config.tls = try TLSSettings.parse(top["tls"], listeners: config.listeners, listenNode: listen, baseDirectory: baseDirectory)
        if let acl = top["acl"] { config.admission.rules = try AccessSettingsParser.rules(acl) }
        if let rrl = top["rrl"] { config.admission.rrl = try AccessSettingsParser.rrl(rrl) }
        if let limits = top["limits"] { (config.admission.limits, config.admission.inFlight) = try AccessSettingsParser.limits(limits) }
        if let any = top["any_over_udp"] { config.admission.anyOverUDP = try AccessSettingsParser.anyOverUDP(any) }
        if let cookies = top["cookies"] {
            (config.admission.cookies, config.cookieSecret) = try AccessSettingsParser.cookies(cookies, baseDirectory: baseDirectory)
            if case .file(let path) = config.cookieSecret {
                config.writableFiles.add(path, purpose: "the cookie secret (cookie.rotate)", at: cookies)
            }
        }
        if let blocklists = top["blocklists"] { config.blocklists = try BlocklistsConfig.parse(blocklists, baseDirectory: baseDirectory,
                                                                                             writableFiles: config.writableFiles) }
        config.account = try ServiceAccount.parse(user: top["user"], group: top["group"])
        guard let servers = top["servers"] else {
            throw ConfigNode(node: root, file: file, path: "servers").error("missing 'servers' (the server blocks)")
        }
        var context = PluginBuildContext(baseDirectory: baseDirectory, commitHooks: config.commitHooks, writableFiles: config.writableFiles)
        if let keys = top["tsig_keys"] { context.tsigKeys = TSIGKeyring(try TSIGKeysConfig.parse(keys, baseDirectory: baseDirectory)) }
        var seenZones: [DNSName: String] = [:]
        for server in try servers.list() {
            let block = try ServerBlockBuilder.build(server, context: context)
            for zone in block.zones {
                if let other = seenZones[zone] {
                    throw server.error("zone \(zone) is already served by \(other)")
                }
                seenZones[zone] = server.path
            }
            config.blocks.append(block)
        }
        return config
    }

    /// Reads and parses a configuration file.
    public static func load(path: String) throws -> DaemonConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, column: 0, key: "", message: "cannot read the configuration file")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path, baseDirectory: base)
    }

    private static func locate(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, key: "", message: "YAML: \(problem)")
        case .reader(let problem, let offset, _, let yaml):
            // libyaml's reader (bad UTF-8, control characters) gives a byte offset, not a mark.
            let before = Array(yaml.utf8.prefix(max(0, offset ?? 0)))
            let newline = UInt8(ascii: "\n")
            let lineStart = (before.lastIndex(of: newline) ?? -1) + 1
            let line = before.count(where: { $0 == newline }) + 1
            return ConfigError(file: file, line: line, column: before.count - lineStart + 1, key: "", message: "YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams puts the whole document in `context.text`; the mark is the first duplicate's.
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column, key: "", message: "YAML: \(keys) appears twice in a mapping")
        default:
            return ConfigError(file: file, line: 0, column: 0, key: "", message: "YAML: \(error)")
        }
    }
}
