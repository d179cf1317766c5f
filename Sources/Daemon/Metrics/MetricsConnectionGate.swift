import NIOCore

/// Caps the metrics endpoint's open connections (Prometheus needs one; a flood of idle
/// connections must not pile up file descriptors in the DNS server). Over the cap, a new
/// connection is closed at once.
final class MetricsConnectionGate: ChannelInboundHandler {
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
}
