import NIOCore
import Resolver

/// Answers length-framed DNS messages on a stream connection (TCP, and DoT behind TLS).
///
/// RFC 7766 §6.2.1.1: queries are pipelined and each answer is written as soon as it is
/// ready, so a slow upstream answer does not hold back the fast ones behind it. The
/// connection closes after the idle timeout or when the client has closed its side and every
/// answer has been sent.
///
/// Bounded per connection: at most `maxInFlight` queries wait on an upstream at once, and no
/// query is started while the socket is not writable (NIO's high watermark, 64 KiB queued):
/// a client that pipelines without reading its answers stops being read. Queries already read
/// when either bound is hit wait, in read order, in `waiting`; it holds at most what the
/// reads before the pause brought in, because no `read` is passed on while anything waits.
final class StreamQueryChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    /// Unflushed answer bytes after which answers are flushed without waiting for the end of
    /// the read: TLS holds written records until a flush, and only flushed bytes count toward
    /// the socket's writability.
    static let flushThreshold = 16384

    private let queries: QueryHandler
    private let transport: Transport
    private let maxInFlight: Int
    private var inFlight = 0
    private var waiting = CircularBuffer<ByteBuffer>()
    /// A `read` held back while queries wait; passed on once they are all started.
    private var readHeld = false
    private var unflushed = 0
    private var clientDone = false

    init(queries: QueryHandler, transport: Transport, maxInFlight: Int) {
        self.queries = queries
        self.transport = transport
        self.maxInFlight = maxInFlight
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A whole message: the query deadline (QueryDeadlineHandler) stops.
        context.triggerUserOutboundEvent(QueryDeadlineHandler.RequestCompleted(), promise: nil)
        let request = unwrapInboundIn(data)
        if waiting.isEmpty, canStart(context) {
            start(request, context: context)
        } else {
            waiting.append(request)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
    }

    func read(context: ChannelHandlerContext) {
        if waiting.isEmpty, canStart(context) {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            startWaiting(context)
        } else {
            flush(context)
        }
        context.fireChannelWritabilityChanged()
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

    private func canStart(_ context: ChannelHandlerContext) -> Bool {
        inFlight < maxInFlight && context.channel.isWritable
    }

    private func start(_ request: ByteBuffer, context: ChannelHandlerContext) {
        let queryContext = QueryContext(client: context.channel.remoteAddress, transport: transport, eventLoop: context.eventLoop)
        let bytes = Array(request.readableBytesView)
        if let messages = queries.transfer(bytes, context: queryContext) {
            for message in messages { write(message, context: context) }
            return
        }
        switch queries.handle(bytes, context: queryContext) {
        case .drop:
            return
        case .respond(let bytes):
            write(bytes, context: context)
        case .pending(let pending):
            inFlight += 1
            // The query ran on this channel's loop, so the bytes come back on it.
            pending.whenReady { [self] bytes in
                inFlight -= 1
                if let bytes { write(bytes, context: context) }
                startWaiting(context)
            }
        }
    }

    /// Starts waiting queries while the bounds allow, flushes, passes on a held `read` once none
    /// wait, and closes a connection the client is done with once everything is answered.
    private func startWaiting(_ context: ChannelHandlerContext) {
        while !waiting.isEmpty, canStart(context) {
            start(waiting.removeFirst(), context: context)
        }
        flush(context)
        if readHeld, waiting.isEmpty, canStart(context) {
            readHeld = false
            context.read()
        }
        closeIfFinished(context)
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
        unflushed += buffer.readableBytes
        if unflushed >= Self.flushThreshold { flush(context) }
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard unflushed > 0 else { return }
        unflushed = 0
        context.flush()
    }

    private func closeIfFinished(_ context: ChannelHandlerContext) {
        guard clientDone, inFlight == 0, waiting.isEmpty else { return }
        flush(context)
        context.close(promise: nil)
    }
}
