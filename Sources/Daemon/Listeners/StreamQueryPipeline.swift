import NIOCore
import Resolver

/// The handlers of a DNS-over-stream connection (TCP, and DoT under its TLS handler):
/// idle timeout, connection slot, 2-byte length framing, and the query handler.
enum StreamQueryPipeline {
    static func install(on handlers: ChannelPipeline.SynchronousOperations, queries: QueryHandler,
                        limiter: ConnectionLimiter, idleTimeout: Duration, transport: Transport) throws {
        try handlers.addHandler(IdleStateHandler(readTimeout: TimeAmount(idleTimeout)))
        try handlers.addHandler(ConnectionSlotHandler(limiter: limiter))
        try handlers.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
        try handlers.addHandler(StreamQueryChannelHandler(queries: queries, transport: transport))
    }
}
