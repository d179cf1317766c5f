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

    public var description: String {
        switch self {
        case .zone(let origin): return "zone:\(origin)"
        case .hosts: return "hosts"
        case .cache: return "cache"
        case .upstream(let name): return "upstream:\(name)"
        case .server: return "server"
        }
    }
}

/// A plugin's answer to one query.
public enum PluginOutcome: Sendable {
    /// A complete response (header flags, rcode and sections set by the plugin).
    case respond(Message, AnswerSource)
    /// Not mine: ask the next plugin in the chain (CoreDNS's `fallthrough`).
    case next
    /// The answer will come later (upstream I/O); the future completes on the query's loop.
    case pending(EventLoopFuture<PluginOutcome>)
}

/// One step of a server block's chain (hosts, zone, cache, forward, ...).
///
/// `handle` runs on the event loop that received the query, so it must not block; plugins
/// that do I/O return `.pending`.
public protocol Plugin: Sendable {
    /// The name used in configuration and logs, e.g. `zone`.
    var name: String { get }
    func handle(_ query: Message, context: QueryContext) -> PluginOutcome
}
