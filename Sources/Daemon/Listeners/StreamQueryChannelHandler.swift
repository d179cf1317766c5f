import NIOCore
import Resolver

/// Answers length-framed DNS messages on a stream connection (TCP now, TLS later).
///
/// RFC 7766 §6.2.1.1: queries are pipelined and each answer is written as soon as it is
/// ready, so a slow upstream answer does not hold back the fast ones behind it. The
/// connection closes after the idle timeout or when the client has closed its side and every
/// answer has been sent.
final class StreamQueryChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let queries: QueryHandler
    private let transport: Transport
    private var inFlight = 0
    private var clientDone = false

    init(queries: QueryHandler, transport: Transport) {
        self.queries = queries
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        let queryContext = QueryContext(client: context.channel.remoteAddress, transport: transport, eventLoop: context.eventLoop)
        switch queries.handle(Array(request.readableBytesView), context: queryContext) {
        case .drop:
            return
        case .respond(let bytes):
            context.write(wrapOutboundOut(Self.frame(bytes, context)), promise: nil)
        case .pending(let pending):
            inFlight += 1
            // The query ran on this channel's loop, so the bytes come back on it.
            pending.whenReady { [self] bytes in
                inFlight -= 1
                if let bytes {
                    context.writeAndFlush(wrapOutboundOut(Self.frame(bytes, context)), promise: nil)
                }
                closeIfFinished(context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            clientDone = true
            closeIfFinished(context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func closeIfFinished(_ context: ChannelHandlerContext) {
        guard clientDone, inFlight == 0 else { return }
        context.flush()
        context.close(promise: nil)
    }

    private static func frame(_ bytes: [UInt8], _ context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }
}
