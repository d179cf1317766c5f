import NIOCore
import NIOPosix
import Resolver

/// DNS over TLS (RFC 7858): the TCP listener's framing and pipelining behind TLS 1.2+.
///
/// Each accepted connection takes the certificate generation current at that moment and keeps
/// it for life; the SNI name picks the certificate (the default for none). ALPN offers `dot`
/// (RFC 7858 §3.2); a client that sends no ALPN still connects. The idle timeout also bounds
/// a handshake that never finishes, and DoT connections count against `tcp.max_connections`
/// and `tcp.max_connections_per_client`; `tcp.query_timeout` and `tcp.max_queries_in_flight`
/// apply as on TCP.
extension ListenerFactory {
    func bindDoT(_ address: ListenAddress) async throws -> Channel {
        let queries = self.queries, streams = self.streams, certificates = self.certificates
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let generation = certificates.current else { throw ChannelError.ioOnClosedChannel }
                    try StreamQueryPipeline.install(on: channel.pipeline.syncOperations, queries: queries, limiter: streams.limiter,
                                                    settings: streams.current.tcp, transport: .tls)
                    // First in the pipeline, before the idle handler: TLS sits directly on the socket.
                    try TLSServerHandshake.install(on: channel, generation: generation, kind: .dot)
                }
            }
            .bind(host: address.host, port: address.port).get()
    }
}
