import Atomics
import DNSProto

/// One DNS message (or client exchange) for dnstap, as the query path hands it over: bytes
/// already at hand, copied, and nothing encoded. The writer (Daemon's `DnstapOutput`) turns
/// it into dnstap protobuf off the serving path.
public struct TapMessage: Sendable {
    public enum Kind: UInt8, Sendable {
        /// A client's query and dnsd's answer to it: CLIENT_QUERY and CLIENT_RESPONSE.
        case client
        /// A query the `forward` plugin (or the UDP relay for it) sent upstream: FORWARDER_QUERY.
        case forwarderQuery
        /// An upstream's answer to one: FORWARDER_RESPONSE.
        case forwarderResponse
    }

    public var kind: Kind
    public var transport: Transport
    /// The client (`client`), or the upstream server (the forwarder kinds).
    public var peer: ClientAddress?
    /// The query as received (`client`) or sent (`forwarderQuery`).
    public var query: [UInt8]?
    /// The answer as sent (`client`) or received (`forwarderResponse`).
    public var response: [UInt8]?
    /// An upstream answer the transport already decoded (the full path's upstreams): the
    /// writer encodes it, so the query path does not.
    public var decodedResponse: Message?
    /// Wall clock, nanoseconds since 1970: when the query arrived or was sent.
    public var queryTime: UInt64
    /// When the answer was sent or arrived (0: unknown).
    public var responseTime: UInt64

    public init(kind: Kind, transport: Transport, peer: ClientAddress?, query: [UInt8]? = nil, response: [UInt8]? = nil,
                decodedResponse: Message? = nil, queryTime: UInt64, responseTime: UInt64 = 0) {
        self.kind = kind
        self.transport = transport
        self.peer = peer
        self.query = query
        self.response = response
        self.decodedResponse = decodedResponse
        self.queryTime = queryTime
        self.responseTime = responseTime
    }
}

/// Where dnstap messages go. `record` runs on the query path: it must only enqueue (a lock
/// held for an append, never I/O) and drop, counted, when its queue is full.
public protocol WireTap: Sendable {
    func record(_ message: TapMessage)
    /// A UDP burst's messages under one lock.
    func record(_ messages: [TapMessage])
}

/// The process's dnstap output, installed once at start when the configuration has a
/// `dnstap:` sink. With none, every hook on the query path is one atomic load and a nil test.
public enum TapPoint {
    private final class Box: Sendable {
        let tap: any WireTap
        init(_ tap: any WireTap) { self.tap = tap }
    }

    private static let installed = ManagedAtomicLazyReference<Box>()

    /// The installed output, or nil when dnstap is off.
    @inline(__always)
    public static var current: (any WireTap)? { installed.load()?.tap }

    /// Installs `tap` for the life of the process; a second call keeps the first.
    public static func install(_ tap: any WireTap) {
        _ = installed.storeIfNilThenLoad(Box(tap))
    }
}
