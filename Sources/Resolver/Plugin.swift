import DNSProto
import NIOCore

/// Where an answer came from, for the query log and statistics.
public enum AnswerSource: Sendable, Hashable, CustomStringConvertible {
    case zone(DNSName)
    case hosts
    case cache
    case upstream(String)
    /// dnsd itself: REFUSED, FORMERR, NOTIMP and other answers no plugin gave.
    case server
    /// The admission step (Admission.swift) decided, and says what: `acl:NAME`, `rrl:slip`,
    /// `rrl:drop`, `limit:qps`, `limit:waiting`, `cookie:bad`, `any:minimal`, `any:refused`.
    case admission(String)

    public var isUpstream: Bool {
        if case .upstream = self { return true }
        return false
    }

    /// The kinds of source without their detail, in `kindIndex` order: the names counters and
    /// metrics use.
    public static let kinds = ["zone", "hosts", "cache", "upstream", "server", "admission"]

    /// Position in `kinds`, for fixed-size per-source counter arrays.
    public var kindIndex: Int {
        switch self {
        case .zone: return 0
        case .hosts: return 1
        case .cache: return 2
        case .upstream: return 3
        case .server: return 4
        case .admission: return 5
        }
    }

    public var description: String {
        switch self {
        case .zone(let origin): return "zone:\(origin)"
        case .hosts: return "hosts"
        case .cache: return "cache"
        case .upstream(let name): return "upstream:\(name)"
        case .server: return "server"
        case .admission(let why): return why
        }
    }
}

/// A plugin's answer to one query.
public enum PluginOutcome: Sendable {
    /// A complete response (header flags, rcode and sections set by the plugin).
    case respond(Message, AnswerSource)
    /// The answer will come later (upstream I/O), on the query's event loop.
    case pending(PendingOutcome)
}

/// One step of a server block's chain (hosts, zone, cache, forward, ...).
///
/// As in CoreDNS, a plugin either answers or hands the query to `next` (the rest of the
/// chain), and may look at what `next` answered (the cache stores it, for example).
/// `handle` runs on the event loop that received the query, so it must not block; plugins
/// that do I/O return `.pending`.
public protocol Plugin: Sendable {
    /// The name used in configuration and logs, e.g. `zone`.
    var name: String { get }
    /// Whether the plugin answers for names dnsd holds no data for (cache, forward, recurse).
    /// A block with such a plugin answers only loopback and the host's own subnets unless its
    /// access rules say otherwise (docs/access.md): no configuration is an open resolver by
    /// omission. Optional: the default is false.
    var resolvesForOthers: Bool { get }
    func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome
    /// Whether this plugin serves `name` from zone data it is the authority for. The pipeline
    /// asks, to send a DS query for the apex of a served child zone to the block that holds
    /// the parent zone (Pipeline.swift).
    func isAuthoritative(for name: DNSName) -> Bool
    /// What the plugin needs, so that the UDP workers keep every query they can on the fast
    /// path (FastPathStep.swift). Optional: the default, `needsMessage`, is always correct.
    var fastPath: FastPathStep { get }
    /// What AXFR and IXFR of `zone` are served from, when this plugin is its primary
    /// (Transfer/). Optional: the default, nil, means the plugin serves no transfers.
    func transferSource(for zone: DNSName) -> TransferSource?
    /// The answer to a NOTIFY (RFC 1996) for a zone this plugin keeps as a secondary, whose
    /// wire form is `bytes` (for its TSIG). Optional: the default, nil, means "not mine".
    func answerNotify(_ query: Message, bytes: [UInt8], client: SocketAddress?) -> [UInt8]?
}

extension Plugin {
    public func answerNotify(_ query: Message, bytes: [UInt8], client: SocketAddress?) -> [UInt8]? { nil }
}

extension Plugin {
    public func transferSource(for zone: DNSName) -> TransferSource? { nil }
}

extension Plugin {
    public var fastPath: FastPathStep { .needsMessage }
}

extension Plugin {
    /// Plugins that forward, resolve, cache or synthesize hold no zone's authoritative data.
    public func isAuthoritative(for name: DNSName) -> Bool { false }
}

extension Plugin {
    public var resolvesForOthers: Bool { false }
}

/// The plugins after the current one. Running an empty chain answers REFUSED: nothing in
/// this server block can answer the name.
public struct PluginChain: Sendable {
    let plugins: ArraySlice<any Plugin>

    public init(_ plugins: ArraySlice<any Plugin>) { self.plugins = plugins }

    public var isEmpty: Bool { plugins.isEmpty }

    public func run(_ query: Message, context: QueryContext) -> PluginOutcome {
        guard let plugin = plugins.first else {
            return .respond(Message.response(to: query, rcode: .refused), .server)
        }
        return plugin.handle(query, context: context, next: PluginChain(plugins.dropFirst()))
    }
}
