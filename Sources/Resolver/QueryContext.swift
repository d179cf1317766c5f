import NIOCore

/// How a query reached dnsd.
public enum Transport: String, Sendable, Hashable {
    case udp, tcp, tls, https
}

/// Everything about a query that is not in the message: who asked, how, and on which loop
/// the answer must be produced.
public struct QueryContext: Sendable {
    public var client: SocketAddress?
    public var transport: Transport
    public var eventLoop: EventLoop

    public init(client: SocketAddress?, transport: Transport, eventLoop: EventLoop) {
        self.client = client
        self.transport = transport
        self.eventLoop = eventLoop
    }
}
