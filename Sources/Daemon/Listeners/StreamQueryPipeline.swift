import NIOCore
import Resolver

/// The handlers of a DNS-over-stream connection (TCP, and DoT under its TLS handler): idle
/// timeout, connection slot, query deadline, 2-byte length framing, and the query handler
/// (which also holds reads back while the socket is not writable or too many queries wait).
enum StreamQueryPipeline {
    static func install(on handlers: ChannelPipeline.SynchronousOperations, queries: QueryHandler,
                        limiter: ConnectionLimiter, settings: DaemonConfig.TCPSettings, transport: Transport) throws {
        try handlers.addHandler(IdleStateHandler(readTimeout: TimeAmount(settings.idleTimeout)))
        try handlers.addHandler(ConnectionSlotHandler(limiter: limiter))
        try handlers.addHandler(QueryDeadlineHandler(timeout: settings.queryTimeout, limiter: limiter))
        try handlers.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
        try handlers.addHandler(StreamQueryChannelHandler(queries: queries, transport: transport, maxInFlight: settings.maxQueriesInFlight))
    }
}
