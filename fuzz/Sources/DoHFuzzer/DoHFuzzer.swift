@testable import Daemon
import DNSProto
import Foundation
import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Resolver

/// libFuzzer entry point for DNS over HTTPS request handling: arbitrary bytes as what a client
/// sends on a plain `http://` DoH connection, through the same pipeline as the listener (NIO's
/// HTTP/1.1 server codec, then `DoHRequestHandler`): request line and path, the query string
/// (`?dns=` base64url, the JSON API's `/resolve?name=&type=&do=&cd=`), headers (Content-Type,
/// Content-Length, chunked bodies) and POST bodies, answered by the zones of `FuzzDaemon`.
///
/// Whatever comes in, what goes out must be well-formed HTTP/1.1 responses with a status the
/// handler documents (200, 400, 404, 405, 413, 415, 500) and a body as long as its
/// Content-Length; a 200 carries a DNS message that parses, or JSON that parses.
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let channel = EmbeddedChannel()
    let methods = RequestMethods()
    do {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(methods)
        try channel.pipeline.syncOperations.addHandler(DoHRequestHandler(queries: queries, path: "/dns-query"))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
    } catch {
        fatalError("cannot set up the channel: \(error)")
    }
    var input = channel.allocator.buffer(capacity: size)
    input.writeBytes(UnsafeBufferPointer(start: data, count: size))
    // A bad request line or header is NIO's to refuse (with a 400 from its error handler).
    _ = try? channel.writeInbound(input)
    channel.embeddedEventLoop.run()
    var output: [UInt8] = []
    while let part = try? channel.readOutbound(as: ByteBuffer.self) { output += part.readableBytesView }
    _ = try? channel.finish()
    checkResponses(output, methods: methods.seen)
    return 0
}

/// Notes the method of each request the codec passes on, in order: the answer to a HEAD
/// request has a Content-Length but no body (RFC 9110 §9.3.2), which the checks must know to
/// find where the next response starts.
final class RequestMethods: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    var seen: [HTTPMethod] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { seen.append(head.method) }
        context.fireChannelRead(data)
    }
}

let queries = QueryHandler(pipeline: FuzzDaemon.runtime.pipeline, packetCache: true)

let allowedStatus: Set<Int> = [200, 400, 404, 405, 413, 415, 500]

/// Splits `output` into responses and checks each (see `fuzz`). `methods` are the requests'
/// methods in order; responses past them are NIO's answers to a request it could not parse.
func checkResponses(_ output: [UInt8], methods: [HTTPMethod]) {
    var rest = output[...]
    var index = 0
    let separator = Array("\r\n\r\n".utf8)
    while !rest.isEmpty {
        guard let end = rest.firstRange(of: separator) else { fatalError("a response head without its end: \(String(decoding: rest, as: UTF8.self))") }
        let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
        rest = rest[end.upperBound...]
        let lines = head.components(separatedBy: "\r\n")
        let status = lines[0].split(separator: " ")
        guard status.count >= 2, status[0].hasPrefix("HTTP/1."), let code = Int(status[1]), allowedStatus.contains(code) else {
            fatalError("unexpected status line '\(lines[0])'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { fatalError("a header line without a colon: '\(line)'") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // NIO's error handler answers a request it could not parse with no body and no length.
        let length = headers["content-length"].map { Int($0) } ?? 0
        let answersHEAD = index < methods.count && methods[index] == .HEAD
        index += 1
        guard let length, answersHEAD || length <= rest.count else { fatalError("content-length \(headers["content-length"] ?? "-") of \(rest.count) bytes left") }
        guard !answersHEAD else { continue }
        let body = Array(rest.prefix(length))
        rest = rest.dropFirst(length)
        guard code == 200 else { continue }
        switch headers["content-type"] {
        case "application/dns-message":
            do { _ = try Message(wire: body) } catch { fatalError("a 200 whose DNS message does not parse (\(error)): \(body)") }
        case "application/dns-json":
            guard (try? JSONSerialization.jsonObject(with: Data(body))) != nil else {
                fatalError("a 200 whose JSON does not parse: \(String(decoding: body, as: UTF8.self))")
            }
        default:
            fatalError("a 200 of type \(headers["content-type"] ?? "none")")
        }
    }
}
