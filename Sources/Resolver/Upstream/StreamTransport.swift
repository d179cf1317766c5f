import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// DNS over TCP (RFC 7766) or over TLS (RFC 7858) to one server, with connection reuse.
///
/// Each event loop keeps its own connection to the server, so a query never hops threads to
/// be sent. Queries are pipelined: several can be outstanding on one connection, each with a
/// random ID unique on that connection, and answers are matched by ID (and question) in any
/// order (RFC 7766 §6.2.1.1). A connection with nothing outstanding closes after
/// `idleTimeout`; one the server closes is replaced by the next query.
final class StreamTransport: UpstreamTransport {
    let server: SocketAddress
    /// nil for plain TCP.
    let tls: NIOSSLContext?
    /// DoT: the name to verify and send as SNI; nil verifies the IP address instead.
    let serverName: String?
    let idleTimeout: TimeAmount
    private let connections: UpstreamConnections<Channel>

    init(server: SocketAddress, tls: NIOSSLContext?, serverName: String?, idleTimeout: TimeAmount) {
        self.server = server
        self.tls = tls
        self.serverName = serverName
        self.idleTimeout = idleTimeout
        connections = UpstreamConnections(idleTimeout: idleTimeout, channel: { $0 })
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        connections.exchange(on: loop, timeout: timeout, connect: { [self] in self.connect(on: $0) }) { channel, promise in
            do {
                let handler = try channel.pipeline.syncOperations.handler(type: PipelinedQueryHandler.self)
                handler.send(query, promise: promise, channel: channel)
            } catch {
                promise.fail(UpstreamError.connection("connection closed"))
            }
        }
    }

    /// Drops this transport's per-loop connections (each still closes on its idle timer). For
    /// one-shot transports (the recursor's TCP retry on TC): connection and transport refer to
    /// each other, so without this they would never be freed.
    func releaseConnections() {
        connections.removeAll()
    }

    /// Opens a connection on `loop` with the framing handler (and TLS) in place.
    func connect(on loop: EventLoop) -> EventLoopFuture<Channel> {
        let tls = self.tls
        let serverName = self.serverName
        return ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(PipelinedQueryHandler())
                }
            }
            .connect(to: server)
    }
}

/// Sends framed queries on a stream connection and hands each answer to the query waiting
/// for its ID. Lives in the channel pipeline, so only its event loop touches it.
final class PipelinedQueryHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var pending: [UInt16: (query: UpstreamQuery, promise: EventLoopPromise<Message>)] = [:]
    private var closed = false

    func send(_ query: UpstreamQuery, promise: EventLoopPromise<Message>, channel: Channel) {
        guard !closed else {
            promise.fail(UpstreamError.connection("connection closed"))
            return
        }
        guard pending.count < 4096 else {
            promise.fail(UpstreamError.connection("too many queries outstanding on one connection"))
            return
        }
        var id = UpstreamQuery.randomID()
        while pending[id] != nil { id = UpstreamQuery.randomID() }
        pending[id] = (query, promise)
        let key = id
        let handler = NIOLoopBound(self, eventLoop: channel.eventLoop)
        promise.futureResult.whenComplete { _ in handler.value.pending[key] = nil }
        let wire = query.wire(id: key)
        var buffer = channel.allocator.buffer(capacity: wire.count + 2)
        buffer.writeInteger(UInt16(wire.count))
        buffer.writeBytes(wire)
        channel.writeAndFlush(buffer).whenFailure { error in
            promise.fail(UpstreamError.connection("\(error)"))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes), let header = Header.peek(bytes),
              let entry = pending[header.id], let message = entry.query.accept(bytes, id: header.id) else { return }
        entry.promise.succeed(message)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        let waiting = pending.values
        pending = [:]
        for entry in waiting { entry.promise.fail(UpstreamError.connection("the server closed the connection")) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        let waiting = pending.values
        pending = [:]
        for entry in waiting { entry.promise.fail(UpstreamError.connection("\(error)")) }
        context.close(promise: nil)
    }
}
