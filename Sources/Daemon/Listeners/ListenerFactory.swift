import CDatagramBatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import Resolver

/// Binds the configured listeners. UDP gets one socket and worker thread per event loop on the
/// same port (SO_REUSEPORT), so the kernel spreads datagrams across cores (UDPWorker.swift). DoT and DoH are in
/// DoTListener.swift and DoHListener.swift.
struct ListenerFactory {
    let group: MultiThreadedEventLoopGroup
    let queries: QueryHandler
    /// The `tcp:` and `http2:` settings, read per accepted connection, and the connection caps.
    let streams: StreamLimits
    let udp: UDPSettings
    /// The certificates `tls://` and `https://` listeners serve (read per accepted connection).
    let certificates: CertStore
    /// Where the UDP workers report their batch-wait guard.
    let udpTelemetry: UDPWorkerTelemetry
    let logger: Logger

    /// What one listen address opened: NIO channels (TCP, DoT, DoH), or UDP workers.
    struct Bound {
        var channels: [Channel] = []
        var workers: [UDPWorker] = []
        /// The port it listens on (the kernel's pick for port 0).
        var port: Int?
    }

    func bind(_ address: ListenAddress) async throws -> Bound {
        switch address.scheme {
        case .udp: return try bindUDP(address)
        case .tcp: return Self.bound(try await bindTCP(address))
        case .tls: return Self.bound(try await bindDoT(address))
        case .https, .http: return Self.bound(try await bindDoH(address))
        }
    }

    private static func bound(_ channel: Channel) -> Bound { Bound(channels: [channel], port: channel.localAddress?.port) }

    /// One `UDPWorker` per event loop, each with its own socket on the same port and that loop
    /// for its misses.
    private func bindUDP(_ address: ListenAddress) throws -> Bound {
        var bound = Bound()
        var port = address.port
        // Before the workers make their batches: each batch reads it when it is created.
        dnsd_batch_default_segmentation(udp.segmentation ? 1 : 0)
        for (index, loop) in group.makeIterator().enumerated() {
            let worker = try UDPWorker(address: try SocketAddress.makeAddressResolvingHost(address.host, port: port),
                                       queries: queries, loop: loop, telemetry: udpTelemetry)
            // With port 0 the first socket picks the port; the others must join it.
            port = worker.port
            worker.start(name: "dnsd-udp-\(index)", scheduling: udp.scheduling, batchWait: udp.batchWaitMicroseconds, logger: logger)
            bound.workers.append(worker)
        }
        bound.port = port
        return bound
    }

    private func bindTCP(_ address: ListenAddress) async throws -> Channel {
        let queries = self.queries, streams = self.streams
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            // tcpOption, not socketOption: socketOption(.tcp_nodelay) sets SOL_SOCKET option 1,
            // SO_DEBUG, which needs CAP_NET_ADMIN: once dnsd dropped root every accepted
            // connection failed it and was closed.
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try StreamQueryPipeline.install(on: channel.pipeline.syncOperations, queries: queries, limiter: streams.limiter,
                                                    settings: streams.current.tcp, transport: .tcp)
                }
            }
            .bind(host: address.host, port: address.port).get()
    }
}
