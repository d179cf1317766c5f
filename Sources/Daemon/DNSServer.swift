import Foundation
import Logging
import NIOCore
import NIOPosix
import Resolver
import ServiceLifecycle

/// The running resolver: event loops, listeners and the query pipeline, as a
/// service-lifecycle `Service` that stops cleanly on SIGTERM/SIGINT.
public final class DNSServer: Service, Sendable {
    private let config: DaemonConfig
    private let logger: Logger

    public init(config: DaemonConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    public func run() async throws {
        let threads = config.threads > 0 ? config.threads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let pipeline = Pipeline(blocks: config.blocks)
        let factory = ListenerFactory(group: group, queries: QueryHandler(pipeline: pipeline, maxUDPPayload: config.ednsUDPSize),
                                      tcp: config.tcp, limiter: ConnectionLimiter(limit: config.tcp.maxConnections))
        var channels: [Channel] = []
        var controlServer: ControlServer?
        defer { controlServer?.remove() }
        do {
            for address in config.listeners {
                let bound: [Channel]
                do { bound = try await factory.bind(address) } catch {
                    throw ListenError(address: "\(address)", underlying: error)
                }
                channels += bound
                var shown = address
                if let port = bound.first?.localAddress?.port { shown.port = port }
                logger.info("listening on \(shown)", metadata: ["sockets": "\(bound.count)"])
            }
            let state = DaemonState(started: Date(), configSource: config.source)
            let control = ControlServer(settings: config.control,
                                        dispatcher: ControlDispatcher(context: ControlContext(state: state, methods: .standard)))
            channels.append(try await control.bind(group: group))
            controlServer = control
            logger.info("control socket at \(config.control.socketPath)")
            let zones = config.blocks.flatMap(\.zones).map(\.description).joined(separator: " ")
            logger.info("dnsd ready", metadata: ["threads": "\(threads)", "zones": "\(zones)"])
            try? await gracefulShutdown()
            logger.info("shutting down")
        } catch {
            await close(channels, group: group)
            throw error
        }
        await close(channels, group: group)
    }

    private func close(_ channels: [Channel], group: MultiThreadedEventLoopGroup) async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}

/// A listener that could not be opened, with the address in the message.
struct ListenError: Error, CustomStringConvertible {
    var address: String
    var underlying: Error
    var description: String {
        if let io = underlying as? IOError { return "cannot listen on \(address): \(String(cString: strerror(io.errnoCode)))" }
        return "cannot listen on \(address): \(underlying)"
    }
}
