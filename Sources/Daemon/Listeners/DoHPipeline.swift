import NIOCore
import NIOHTTP1
import NIOHTTP2
import Resolver

/// What a DoH connection runs once it speaks HTTP (after TLS and ALPN, or at once on an
/// `http://` listener): HTTP/1.1 with NIO's server pipeline (one request answered at a time),
/// or HTTP/2 under the `http2:` limits with one `DoHRequestHandler` per stream. Apart from the
/// listener so that the fuzz harness (fuzz/Sources/DoHFuzzer) drives exactly these handlers.
enum DoHPipeline {
    /// HTTP/1.1 on `channel`, answering DoH at `path` (and the JSON API at /resolve).
    static func configureHTTP1(_ channel: Channel, queries: QueryHandler, path: String) throws {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(DoHRequestHandler(queries: queries, path: path))
    }

    /// HTTP/2 on `channel` with the connection and stream settings of `http2`; a connection
    /// past them is closed (`HTTP2MisbehaviourCloser`).
    static func configureHTTP2(_ channel: Channel, queries: QueryHandler, path: String,
                               http2: NIOHTTP2Handler.Configuration) -> EventLoopFuture<Void> {
        channel.configureHTTP2Pipeline(mode: .server, connectionConfiguration: http2.connection, streamConfiguration: http2.stream) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandlers(
                    HTTP2FramePayloadToHTTP1ServerCodec(), DoHRequestHandler(queries: queries, path: path, onHTTP2Stream: true))
            }
        }.flatMapThrowing { _ in
            try channel.pipeline.syncOperations.addHandler(HTTP2MisbehaviourCloser())
        }
    }
}
