import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL

/// DNS over HTTPS (RFC 8484) to one server: HTTP/2 over TLS, one POST of
/// `application/dns-message` per query, each on its own HTTP/2 stream of a shared connection
/// (one connection per event loop), so queries are multiplexed and never wait for each other.
/// A connection with no open stream closes after `idleTimeout`.
final class DoHTransport: UpstreamTransport {
    let server: SocketAddress
    let tls: NIOSSLContext
    /// The URL's host: SNI, certificate name and `:authority`.
    let host: String
    let authority: String
    let path: String
    let idleTimeout: TimeAmount
    private let connections = NIOLockedValueBox<[ObjectIdentifier: DoHConnection]>([:])

    init(server: SocketAddress, tls: NIOSSLContext, host: String, port: Int, path: String, idleTimeout: TimeAmount) {
        self.server = server
        self.tls = tls
        self.host = host
        self.authority = port == 443 ? host : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        self.path = path
        self.idleTimeout = idleTimeout
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let key = ObjectIdentifier(loop)
        let connection = connections.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = DoHConnection(transport: self, loop: loop)
            map[key] = created
            return created
        }
        if loop.inEventLoop { return connection.send(query, timeout: timeout) }
        return loop.flatSubmit { connection.send(query, timeout: timeout) }
    }

    /// TLS with ALPN h2, then the HTTP/2 connection handler; yields the stream multiplexer.
    func connect(on loop: EventLoop) -> EventLoopFuture<(Channel, NIOHTTP2Handler.StreamMultiplexer)> {
        let tls = self.tls
        let serverName = isIPLiteral(host) ? nil : host
        return ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                }
            }
            .connect(to: server)
            .flatMapThrowing { channel in
                let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
                    inboundStreamInitializer: { $0.close() })
                return (channel, multiplexer)
            }
    }

    func requestHeaders(length: Int) -> HPACKHeaders {
        [":method": "POST", ":scheme": "https", ":authority": authority, ":path": path,
         "content-type": "application/dns-message", "accept": "application/dns-message",
         "content-length": String(length)]
    }
}

/// One event loop's HTTP/2 connection to a DoH server; state confined to that loop.
final class DoHConnection: Sendable {
    private struct State {
        var connection: EventLoopFuture<(Channel, NIOHTTP2Handler.StreamMultiplexer)>?
        var idleTimer: Scheduled<Void>?
        var outstanding = 0
    }

    private let transport: DoHTransport
    private let loop: EventLoop
    private let state: NIOLoopBoundBox<State>

    init(transport: DoHTransport, loop: EventLoop) {
        self.transport = transport
        self.loop = loop
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
    }

    func send(_ query: UpstreamQuery, timeout: TimeAmount) -> EventLoopFuture<Message> {
        loop.preconditionInEventLoop()
        state.value.idleTimer?.cancel()
        state.value.idleTimer = nil
        state.value.outstanding += 1
        let connection: EventLoopFuture<(Channel, NIOHTTP2Handler.StreamMultiplexer)>
        if let existing = state.value.connection {
            connection = existing
        } else {
            connection = transport.connect(on: loop)
            state.value.connection = connection
            connection.whenComplete { [self] result in
                switch result {
                case .success(let (channel, _)):
                    channel.closeFuture.whenComplete { _ in
                        if self.state.value.connection === connection { self.state.value.connection = nil }
                    }
                case .failure:
                    if self.state.value.connection === connection { self.state.value.connection = nil }
                }
            }
        }
        let promise = loop.makePromise(of: Message.self)
        let timer = loop.scheduleTask(in: timeout) { promise.fail(UpstreamError.timeout) }
        let id = UpstreamQuery.randomID()
        let body = query.wire(id: id)
        let headers = transport.requestHeaders(length: body.count)
        connection.whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(UpstreamError.connection("\(error)"))
            case .success(let (_, multiplexer)):
                multiplexer.createStreamChannel { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(
                            DoHStreamHandler(query: query, id: id, body: body, headers: headers, promise: promise))
                    }
                }.whenComplete { result in
                    switch result {
                    case .success(let stream):
                        promise.futureResult.whenComplete { _ in stream.close(promise: nil) }
                    case .failure(let error):
                        promise.fail(UpstreamError.connection("\(error)"))
                    }
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
        guard state.value.outstanding == 0, let connection = state.value.connection else { return }
        state.value.idleTimer = loop.scheduleTask(in: transport.idleTimeout) { [self] in
            if self.state.value.outstanding == 0, self.state.value.connection === connection {
                self.state.value.connection = nil
                connection.whenSuccess { $0.0.close(promise: nil) }
            }
        }
    }
}

/// One DoH request on one HTTP/2 stream: sends HEADERS and DATA, collects the response.
private final class DoHStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    let query: UpstreamQuery
    let id: UInt16
    let body: [UInt8]
    let headers: HPACKHeaders
    let promise: EventLoopPromise<Message>
    private var status: String?
    private var received: [UInt8] = []

    init(query: UpstreamQuery, id: UInt16, body: [UInt8], headers: HPACKHeaders, promise: EventLoopPromise<Message>) {
        self.query = query
        self.id = id
        self.body = body
        self.headers = headers
        self.promise = promise
    }

    private var sent = false

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            if status == nil { status = frame.headers.first(name: ":status") }
            if frame.endStream { complete() }
        case .data(let frame):
            if case .byteBuffer(var buffer) = frame.data, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                received += bytes
                guard received.count <= 65535 else {
                    promise.fail(UpstreamError.protocolError("DoH answer larger than a DNS message"))
                    return
                }
            }
            if frame.endStream { complete() }
        default:
            break
        }
    }

    private func complete() {
        guard status == "200" else {
            promise.fail(UpstreamError.protocolError("DoH server answered HTTP status \(status ?? "none")"))
            return
        }
        guard let message = query.accept(received, id: id) else {
            promise.fail(UpstreamError.protocolError("DoH answer does not match the query"))
            return
        }
        promise.succeed(message)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(UpstreamError.connection("HTTP/2 stream closed before the answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(UpstreamError.connection("\(error)"))
        context.close(promise: nil)
    }
}
