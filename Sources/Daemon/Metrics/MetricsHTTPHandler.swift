import NIOCore
import NIOHTTP1

/// Answers one HTTP/1.1 connection to the metrics endpoint: `GET` (or `HEAD`) of the
/// configured path gets the Prometheus text exposition format, `/health` and `/ready` the
/// probes of load balancers and orchestrators (HealthProbe.swift), any other path 404, any
/// other method 405 with `Allow`. Request bodies are read and dropped. Keep-alive is honoured;
/// NIOHTTP1's pipelining helper keeps answers in request order.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The content type Prometheus expects for the text format (exposition format 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let path: String
    private let render: @Sendable () -> [UInt8]
    private let health: HealthProbe
    private var request: HTTPRequestHead?

    init(path: String, health: HealthProbe, render: @escaping @Sendable () -> [UInt8]) {
        self.path = path
        self.health = health
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let target = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        var body: [UInt8]
        let probe = target == path ? nil : health.answer(target)
        if target != path && probe == nil {
            status = .notFound
            body = Array("not found; metrics are at \(path)\n".utf8)
        } else if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            headers.add(name: "Allow", value: "GET, HEAD")
            body = Array("method not allowed; use GET\n".utf8)
        } else if let probe {
            status = probe.status
            body = Array(probe.text.utf8)
        } else {
            status = .ok
            body = render()
        }
        headers.add(name: "Content-Type", value: status == .ok && probe == nil ? Self.contentType : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        // RFC 9110 §9.3.2: HEAD gets GET's headers (Content-Length included) without the body.
        if head.method == .HEAD { body = [] }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in boundContext.value.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A malformed request: NIOHTTP1's error handler has answered 400; drop the connection.
        context.close(promise: nil)
    }
}
