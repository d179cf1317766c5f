import Foundation
import NIOCore
import NIOPosix
import Resolver

/// Binds the configured listeners. UDP gets one socket per event loop on the same port
/// (SO_REUSEPORT), so the kernel spreads datagrams across cores. DoT and DoH are in
/// DoTListener.swift and DoHListener.swift.
struct ListenerFactory {
    let group: MultiThreadedEventLoopGroup
    let queries: QueryHandler
    let tcp: DaemonConfig.TCPSettings
    let limiter: ConnectionLimiter
    /// The certificates `tls://` and `https://` listeners serve (read per accepted connection).
    let certificates: CertStore

    /// Largest datagram read; a query is small, but EDNS allows up to 64 KiB on the wire.
    static let maxDatagram = 4096
    static let datagramsPerRead = 32

    func bind(_ address: ListenAddress) async throws -> [Channel] {
        switch address.scheme {
        case .udp: return try await bindUDP(address)
        case .tcp: return [try await bindTCP(address)]
        case .tls: return [try await bindDoT(address)]
        case .https, .http: return [try await bindDoH(address)]
        }
    }

    private func bindUDP(_ address: ListenAddress) async throws -> [Channel] {
        var channels: [Channel] = []
        var port = address.port
        for loop in group.makeIterator() {
            let queries = self.queries
            let channel = try await DatagramBootstrap(group: loop)
                .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .channelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
                .channelOption(ChannelOptions.recvAllocator,
                               value: FixedSizeRecvByteBufferAllocator(capacity: Self.maxDatagram * Self.datagramsPerRead))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPQueryChannelHandler(queries: queries))
                    }
                }
                .bind(host: address.host, port: port).get()
            // With port 0 the first socket picks the port; the others must join it.
            if port == 0, let bound = channel.localAddress?.port { port = bound }
            channels.append(channel)
        }
        return channels
    }

    private func bindTCP(_ address: ListenAddress) async throws -> Channel {
        let queries = self.queries, limiter = self.limiter, idle = tcp.idleTimeout
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try StreamQueryPipeline.install(on: channel.pipeline.syncOperations, queries: queries, limiter: limiter,
                                                    idleTimeout: idle, transport: .tcp)
                }
            }
            .bind(host: address.host, port: address.port).get()
    }
}
