import NIOCore

/// The connection-level limits of a DoH connection: a slot under `tcp.max_connections`, and
/// closing the connection after the idle timeout (HTTP/2 keeps connections open for as long
/// as the client likes, and a handshake that never finishes must not hold a slot either).
final class DoHConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let limiter: ConnectionLimiter
    private var holdsSlot = false

    init(limiter: ConnectionLimiter) { self.limiter = limiter }

    func channelActive(context: ChannelHandlerContext) {
        guard limiter.acquire() else {
            context.close(promise: nil)
            return
        }
        holdsSlot = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if holdsSlot { limiter.release(); holdsSlot = false }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
