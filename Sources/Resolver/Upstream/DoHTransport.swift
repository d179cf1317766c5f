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
    private let connections: UpstreamConnections<(Channel, NIOHTTP2Handler.StreamMultiplexer)>

    init(server: SocketAddress, tls: NIOSSLContext, host: String, port: Int, path: String, idleTimeout: TimeAmount) {
        self.server = server
        self.tls = tls
        self.host = host
        self.authority = port == 443 ? host : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        self.path = path
        self.idleTimeout = idleTimeout
        connections = UpstreamConnections(idleTimeout: idleTimeout, channel: { $0.0 })
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let id = UpstreamQuery.randomID()
        let body = query.wire(id: id)
        let headers = requestHeaders(length: body.count)
        return connections.exchange(on: loop, timeout: timeout, connect: { [self] in self.connect(on: $0) }) { connection, promise in
            connection.1.createStreamChannel { stream in
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

    /// TLS with ALPN h2, then the HTTP/2 connection handler; yields the stream multiplexer.
    func connect(on loop: EventLoop) -> EventLoopFuture<(Channel, NIOHTTP2Handler.StreamMultiplexer)> {
        let tls = self.tls
        let serverName = isIPLiteral(host) ? nil : host
        return ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
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
