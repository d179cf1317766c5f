import DNSProto
import Foundation
import NIOCore
import NIOHTTP1
import Resolver

/// Answers DNS over HTTPS requests (RFC 8484) on one HTTP/1.1 connection or one HTTP/2 stream
/// (HTTP/2 frames are turned into HTTP/1 parts by `HTTP2FramePayloadToHTTP1ServerCodec`).
///
/// - `GET PATH?dns=BASE64URL` and `POST PATH` with `Content-Type: application/dns-message`:
///   the answer is `application/dns-message` with `Cache-Control: max-age` set to the
///   smallest TTL in the answer and authority sections (RFC 8484 §5.1).
/// - `GET /resolve?name=NAME&type=TYPE`: the JSON API (`DoHJSON`).
/// - Errors: 400 (bad parameter or message), 404, 405, 413 (over 65535 octets), 415.
final class DoHRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// RFC 8484 §6 and RFC 1035: a DNS message is at most 65535 octets.
    static let maxMessage = 65535
    static let jsonPath = "/resolve"

    private let queries: QueryHandler
    private let path: String
    /// On an HTTP/2 stream channel (whose parent is the connection) rather than an HTTP/1.1
    /// connection (whose parent is the listening socket).
    private let onHTTP2Stream: Bool
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(queries: QueryHandler, path: String, onHTTP2Stream: Bool = false) {
        self.queries = queries
        self.path = path
        self.onHTTP2Stream = onHTTP2Stream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // A whole request head: the request deadline (QueryDeadlineHandler, on the
            // connection: the parent of an HTTP/2 stream, on the same event loop) stops.
            if onHTTP2Stream, let connection = context.channel.parent {
                connection.pipeline.syncOperations.triggerUserOutboundEvent(QueryDeadlineHandler.RequestCompleted(), promise: nil)
            } else {
                context.triggerUserOutboundEvent(QueryDeadlineHandler.RequestCompleted(), promise: nil)
            }
            self.head = head
            body = nil
            tooLarge = false
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > Self.maxMessage {
                tooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (requestPath, parameters) = Self.split(head.uri)
        let json = requestPath == Self.jsonPath
        let message: [UInt8]
        do {
            if json {
                guard head.method == .GET else { throw DoHRequestError.methodNotAllowed("\(Self.jsonPath) answers GET only", allow: "GET") }
                switch DoHJSON.query(from: parameters) {
                case .success(let query): message = try query.encode()
                case .failure(let failure): throw failure
                }
            } else if requestPath == path {
                message = try dnsMessage(head, parameters)
            } else {
                throw DoHRequestError.notFound("no DNS service at \(requestPath); DoH is at \(path), JSON at \(Self.jsonPath)")
            }
        } catch let error as DoHRequestError {
            sendError(error, head: head, context: context)
            return
        } catch {
            sendError(.badRequest("\(error)"), head: head, context: context)
            return
        }
        let queryContext = QueryContext(client: context.channel.remoteAddress, transport: .https, eventLoop: context.eventLoop)
        switch queries.handle(message, context: queryContext) {
        case .drop:
            sendError(.badRequest("not a DNS query message"), head: head, context: context)
        case .respond(let bytes):
            sendAnswer(bytes, json: json, head: head, context: context)
        case .pending(let pending):
            // The query ran on this channel's loop, so the bytes come back on it.
            pending.whenReady { [self] bytes in
                if let bytes {
                    sendAnswer(bytes, json: json, head: head, context: context)
                } else {
                    send(status: .internalServerError, contentType: "text/plain", headers: [], body: Array("no answer\n".utf8),
                         head: head, context: context)
                }
            }
        }
    }

    /// The DNS message of a GET (`dns` parameter) or POST (body) request.
    private func dnsMessage(_ head: HTTPRequestHead, _ parameters: [String: String]) throws -> [UInt8] {
        switch head.method {
        case .GET:
            guard let encoded = parameters["dns"] else { throw DoHRequestError.badRequest("missing the dns parameter (base64url DNS message)") }
            guard let bytes = Self.base64URLDecode(encoded) else { throw DoHRequestError.badRequest("the dns parameter is not base64url") }
            guard bytes.count <= Self.maxMessage else { throw DoHRequestError.tooLarge("the DNS message is over \(Self.maxMessage) octets") }
            guard !bytes.isEmpty else { throw DoHRequestError.badRequest("the dns parameter is empty") }
            return bytes
        case .POST:
            let type = head.headers.first(name: "content-type")?.split(separator: ";").first?
                .trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/dns-message" else {
                throw DoHRequestError.unsupportedMediaType("POST needs Content-Type: application/dns-message, not \(type ?? "none")")
            }
            guard !tooLarge else { throw DoHRequestError.tooLarge("the body is over \(Self.maxMessage) octets") }
            guard let body, body.readableBytes > 0 else { throw DoHRequestError.badRequest("the body is empty") }
            return Array(body.readableBytesView)
        default:
            throw DoHRequestError.methodNotAllowed("DoH answers GET and POST", allow: "GET, POST")
        }
    }

    private func sendAnswer(_ bytes: [UInt8], json: Bool, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let response = try? Message(wire: bytes)
        var headers: [(String, String)] = []
        if let response {
            // RFC 8484 §5.1: cacheable for no longer than the smallest TTL of the answer.
            let ttls = (response.answers + response.authorities).map(\.ttl)
            headers.append(("cache-control", "max-age=\(ttls.min() ?? 0)"))
        }
        if json {
            guard let response else {
                send(status: .internalServerError, contentType: "text/plain", headers: [], body: Array("unreadable answer\n".utf8),
                     head: head, context: context)
                return
            }
            send(status: .ok, contentType: "application/dns-json", headers: headers, body: DoHJSON.encode(response), head: head, context: context)
        } else {
            send(status: .ok, contentType: "application/dns-message", headers: headers, body: bytes, head: head, context: context)
        }
    }

    private func sendError(_ error: DoHRequestError, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers: [(String, String)] = []
        if case .methodNotAllowed(_, let allow) = error { headers.append(("allow", allow)) }
        // After a body we refused to read whole, the connection's framing cannot be trusted.
        let close = error.status == .payloadTooLarge
        send(status: error.status, contentType: "text/plain; charset=utf-8", headers: headers,
             body: Array((error.reason + "\n").utf8), head: head, context: context, forceClose: close)
    }

    private func send(status: HTTPResponseStatus, contentType: String, headers extra: [(String, String)], body: [UInt8],
                      head: HTTPRequestHead, context: ChannelHandlerContext, forceClose: Bool = false) {
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(body.count)")] + extra)
        let keepAlive = head.isKeepAlive && !forceClose
        if head.version.major == 1 { headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// The path and the decoded query parameters of a request target.
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var parameters: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            if parameters[key] == nil { parameters[key] = value }
        }
        return (String(uri[..<mark]), parameters)
    }

    /// RFC 4648 §5 base64url; RFC 8484 §4.1 sends it without padding, and padding is tolerated.
    static func base64URLDecode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.hasSuffix("=") { standard.removeLast() }
        guard !standard.contains("=") else { return nil }
        switch standard.count % 4 {
        case 2: standard += "=="
        case 3: standard += "="
        case 1: return nil
        default: break
        }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
