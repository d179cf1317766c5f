import NIOCore
import Resolver

/// Answers DNS datagrams: one read may carry many (vector reads); writes are flushed once
/// per read burst.
final class UDPQueryChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let queries: QueryHandler

    init(queries: QueryHandler) {
        self.queries = queries
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
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
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: context.channel.allocator.buffer(bytes: bytes))), promise: nil)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and similar per-datagram errors must not close the socket.
    }
}
