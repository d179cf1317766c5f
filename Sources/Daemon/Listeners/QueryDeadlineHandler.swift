import NIOCore

/// Closes a stream connection whose next query (TCP, DoT) or HTTP request head (DoH) is not
/// complete within `tcp.query_timeout` of its first byte.
///
/// The idle timeout alone is reset by every byte read, so a client dripping one byte every
/// few seconds would hold its connection (and a slot of `tcp.max_connections`) forever. Here the
/// clock starts at the first byte read after the last complete request, later bytes do not
/// move it, and only a complete request (`RequestCompleted`, sent as an outbound user event by
/// the handler that decodes requests) stops it. It sits behind TLS: a TLS handshake that never
/// finishes reads no plaintext and is left to the idle timeout, as before.
final class QueryDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    /// Sent toward the head by a request decoder each time it has a whole query or request head.
    struct RequestCompleted: Sendable {}

    private let timeout: TimeAmount
    /// Where the closes are counted (`limits.tcp_query_timeout`).
    private let limiter: ConnectionLimiter
    private var deadline: Scheduled<Void>?

    init(timeout: Duration, limiter: ConnectionLimiter) {
        self.timeout = TimeAmount(timeout)
        self.limiter = limiter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadline == nil {
            let channel = context.channel, limiter = self.limiter
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                limiter.countQueryTimeout()
                channel.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestCompleted else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        deadline?.cancel()
        deadline = nil
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
