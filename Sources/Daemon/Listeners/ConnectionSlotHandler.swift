import NIOCore
import Resolver

/// Holds one of a listener's connection slots for the life of a connection: over a cap (the
/// total, or the client address's share) a new connection is closed at once, and the slot is
/// given back when it closes. With `closeWhenIdle`, the idle timeout of an `IdleStateHandler`
/// earlier in the pipeline closes it (for protocols whose own handler does not act on
/// idleness, like HTTP).
final class ConnectionSlotHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let limiter: ConnectionLimiter
    private let closeWhenIdle: Bool
    private var holdsSlot = false
    private var client: ClientAddress?

    init(limiter: ConnectionLimiter, closeWhenIdle: Bool = false) {
        self.limiter = limiter
        self.closeWhenIdle = closeWhenIdle
    }

    func channelActive(context: ChannelHandlerContext) {
        client = context.channel.remoteAddress.flatMap(ClientAddress.init)
        guard limiter.acquire(client: client) else {
            context.close(promise: nil)
            return
        }
        holdsSlot = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if holdsSlot { limiter.release(client: client); holdsSlot = false }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closeWhenIdle, event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
