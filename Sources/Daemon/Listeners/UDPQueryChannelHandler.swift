import NIOCore
import Resolver

/// Answers DNS datagrams: one read may carry many (vector reads); writes are flushed once
/// per read burst, and answers that arrive later (upstream I/O) once per event-loop tick, so
/// the socket sends them in batches (sendmmsg) rather than one syscall each.
final class UDPQueryChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let queries: QueryHandler
    /// A flush for late answers is queued on the loop (one per tick, however many answers).
    private var flushQueued = false

    init(queries: QueryHandler) {
        self.queries = queries
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // The packet cache answers straight from the datagram's buffer: no copy, no parse.
        if let cached = queries.cachedAnswer(envelope.data, client: envelope.remoteAddress, transport: .udp,
                                             allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: cached)), promise: nil)
            return
        }
        let request = Array(envelope.data.readableBytesView)
        let queryContext = QueryContext(client: envelope.remoteAddress, transport: .udp, eventLoop: context.eventLoop)
        let client = envelope.remoteAddress
        switch queries.handle(request, context: queryContext) {
        case .drop:
            return
        case .respond(let bytes):
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        case .pending(let future):
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            future.hop(to: context.eventLoop).assumeIsolated().whenSuccess { [self] bytes in
                guard let bytes else { return }
                let context = boundContext.value
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: context.channel.allocator.buffer(bytes: bytes))), promise: nil)
                queueFlush(context: context)
            }
        }
    }

    /// Runs after the loop has handled the I/O events of this tick: every upstream answer that
    /// came in with them goes out in one flush.
    private func queueFlush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().execute { [self] in
            flushQueued = false
            boundContext.value.flush()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and similar per-datagram errors must not close the socket.
    }
}
