import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import Resolver

/// DNS over HTTPS (RFC 8484) on `https://HOST:PORT/PATH`: TLS with the SNI-chosen certificate
/// of the generation current at accept time, then HTTP/2 or HTTP/1.1 as ALPN decides
/// (`h2` preferred; no ALPN means HTTP/1.1). `http://HOST:PORT/PATH` serves the same over
/// plain HTTP/1.1 for a reverse proxy that terminates TLS in front of dnsd.
///
/// Bounds per connection: the `tcp:` connection caps and `tcp.query_timeout` (for a whole
/// request head), reads paused while the socket is not writable (NIO's `BackPressureHandler`),
/// and for HTTP/2 the `http2:` limits (HTTP2Limits.swift), a connection past them closed after
/// its GOAWAY (HTTP2ConnectionErrorCloser). HTTP/1.1 answers one request at a
/// time (NIO's pipelining handler reads no further request while one is being answered).
extension ListenerFactory {
    func bindDoH(_ address: ListenAddress) async throws -> Channel {
        let queries = self.queries, streams = self.streams, certificates = self.certificates
        let path = address.path ?? ListenAddress.defaultDoHPath
        let secure = address.scheme == .https
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let current = streams.current, limiter = streams.limiter
                let settings = current.tcp, http2 = current.http2.configuration
                do {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(IdleStateHandler(readTimeout: TimeAmount(settings.idleTimeout)))
                    try handlers.addHandler(ConnectionSlotHandler(limiter: limiter, closeWhenIdle: true))
                    try handlers.addHandler(QueryDeadlineHandler(timeout: settings.queryTimeout, limiter: limiter))
                    try handlers.addHandler(BackPressureHandler())
                    guard secure else {
                        try handlers.configureHTTPServerPipeline(withErrorHandling: true)
                        try handlers.addHandler(DoHRequestHandler(queries: queries, path: path))
                        return channel.eventLoop.makeSucceededVoidFuture()
                    }
                    guard let generation = certificates.current else { throw ChannelError.ioOnClosedChannel }
                    try TLSServerHandshake.install(on: channel, generation: generation, kind: .doh)
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return channel.configureHTTP2SecureUpgrade(
                    h2ChannelConfigurator: { channel in
                        channel.configureHTTP2Pipeline(mode: .server, connectionConfiguration: http2.connection,
                                                       streamConfiguration: http2.stream) { stream in
                            stream.eventLoop.makeCompletedFuture {
                                try stream.pipeline.syncOperations.addHandlers(
                                    HTTP2FramePayloadToHTTP1ServerCodec(), DoHRequestHandler(queries: queries, path: path, onHTTP2Stream: true))
                            }
                        }.flatMapThrowing { _ in
                            try channel.pipeline.syncOperations.addHandler(HTTP2ConnectionErrorCloser())
                        }
                    },
                    http1ChannelConfigurator: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                            try channel.pipeline.syncOperations.addHandler(DoHRequestHandler(queries: queries, path: path))
                        }
                    })
            }
            .bind(host: address.host, port: address.port).get()
    }
}
