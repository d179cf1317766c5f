import NIOCore

/// How a query reached dnsd.
public enum Transport: String, Sendable, Hashable, CaseIterable {
    case udp, tcp, tls, https

    /// Position in `allCases`, for fixed-size per-transport counter arrays.
    public var index: Int {
        switch self {
        case .udp: return 0
        case .tcp: return 1
        case .tls: return 2
        case .https: return 3
        }
    }
}

/// Everything about a query that is not in the message: who asked, how, and on which loop
/// the answer must be produced.
public struct QueryContext: Sendable {
    public var client: SocketAddress?
    public var transport: Transport
    public var eventLoop: EventLoop
    /// Set when the UDP relay handed the query over because this upstream's UDP answer was
    /// truncated: `forward` asks it over TCP directly instead of repeating the UDP query.
    public var truncatedOverUDPBy: Upstream?

    public init(client: SocketAddress?, transport: Transport, eventLoop: EventLoop, truncatedOverUDPBy: Upstream? = nil) {
        self.client = client
        self.transport = transport
        self.eventLoop = eventLoop
        self.truncatedOverUDPBy = truncatedOverUDPBy
    }
}
