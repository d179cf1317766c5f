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
    private let connections = NIOLockedValueBox<[ObjectIdentifier: StreamConnection]>([:])

    init(server: SocketAddress, tls: NIOSSLContext?, serverName: String?, idleTimeout: TimeAmount) {
        self.server = server
        self.tls = tls
        self.serverName = serverName
        self.idleTimeout = idleTimeout
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let key = ObjectIdentifier(loop)
        let connection = connections.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = StreamConnection(transport: self, loop: loop)
            map[key] = created
            return created
        }
        if loop.inEventLoop {
            return connection.send(query, timeout: timeout)
        }
        return loop.flatSubmit { connection.send(query, timeout: timeout) }
    }

    /// Drops this transport's per-loop connections (each still closes on its idle timer). For
    /// one-shot transports (the recursor's TCP retry on TC): connection and transport refer to
    /// each other, so without this they would never be freed.
    func releaseConnections() {
        connections.withLockedValue { $0 = [:] }
    }

    /// Opens a connection on `loop` with the framing handler (and TLS) in place.
    func connect(on loop: EventLoop) -> EventLoopFuture<Channel> {
        let tls = self.tls
        let serverName = self.serverName
        return ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
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

/// The connection of one event loop to one stream upstream. All state is confined to that
/// loop (`NIOLoopBoundBox` checks it).
final class StreamConnection: Sendable {
    private struct State {
        var channel: EventLoopFuture<Channel>?
        var idleTimer: Scheduled<Void>?
        var outstanding = 0
    }

    private let transport: StreamTransport
    private let loop: EventLoop
    private let state: NIOLoopBoundBox<State>

    init(transport: StreamTransport, loop: EventLoop) {
        self.transport = transport
        self.loop = loop
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
    }

    func send(_ query: UpstreamQuery, timeout: TimeAmount) -> EventLoopFuture<Message> {
        loop.preconditionInEventLoop()
        state.value.idleTimer?.cancel()
        state.value.idleTimer = nil
        state.value.outstanding += 1
        let channelFuture: EventLoopFuture<Channel>
        if let existing = state.value.channel {
            channelFuture = existing
        } else {
            channelFuture = transport.connect(on: loop)
            state.value.channel = channelFuture
            channelFuture.whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    channel.closeFuture.whenComplete { _ in self.forget(channel) }
                case .failure:
                    // A failed connect must not be reused by the next query.
                    if self.state.value.channel === channelFuture { self.state.value.channel = nil }
                }
            }
        }
        let promise = loop.makePromise(of: Message.self)
        let timer = loop.scheduleTask(in: timeout) { promise.fail(UpstreamError.timeout) }
        channelFuture.whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(UpstreamError.connection("\(error)"))
            case .success(let channel):
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: PipelinedQueryHandler.self)
                    handler.send(query, promise: promise, channel: channel)
                } catch {
                    promise.fail(UpstreamError.connection("connection closed"))
                }
            }
        }
        promise.futureResult.whenComplete { [self] _ in
            timer.cancel()
            self.finished()
        }
        return promise.futureResult
    }

    private func finished() {
        state.value.outstanding -= 1
        guard state.value.outstanding == 0, let channel = state.value.channel else { return }
        state.value.idleTimer = loop.scheduleTask(in: transport.idleTimeout) { [self] in
            if self.state.value.outstanding == 0, self.state.value.channel === channel {
                self.state.value.channel = nil
                channel.whenSuccess { $0.close(promise: nil) }
            }
        }
    }

    private func forget(_ channel: Channel) {
        guard let current = state.value.channel else { return }
        current.whenSuccess { [self] open in
            if open === channel, self.state.value.channel === current { self.state.value.channel = nil }
        }
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
