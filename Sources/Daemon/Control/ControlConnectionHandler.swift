import ControlProto
import Foundation
import NIOCore

/// One control connection: each line is dispatched on its own task and answered when done
/// (replies carry the request id, so order does not matter). Blank lines are ignored.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: ControlDispatcher
    private let limiter: ConnectionLimiter
    private var holdsSlot = false

    init(dispatcher: ControlDispatcher, limiter: ConnectionLimiter) {
        self.dispatcher = dispatcher
        self.limiter = limiter
    }

    func channelActive(context: ChannelHandlerContext) {
        guard limiter.acquire() else {
            let error = RPCResponse(id: .null, error: RPCError(code: RPCError.limitExceeded, message: "too many control connections (\(limiter.limit))"))
            context.writeAndFlush(wrapOutboundOut(Self.line(error, context.channel.allocator))).whenComplete { _ in }
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

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = Array(unwrapInboundIn(data).readableBytesView)
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        let channel = context.channel
        let dispatcher = self.dispatcher
        Task {
            guard let reply = await dispatcher.handle(line: line) else { return }
            var buffer = channel.allocator.buffer(capacity: reply.count)
            buffer.writeBytes(reply)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is LineFrameDecoder.LineTooLong {
            let response = RPCResponse(id: .null, error: RPCError(code: RPCError.limitExceeded, message: "request line longer than the limit"))
            context.writeAndFlush(wrapOutboundOut(Self.line(response, context.channel.allocator))).whenComplete { _ in }
        }
        context.close(promise: nil)
    }

    static func line(_ response: RPCResponse, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeString(JSONValueEncoding.text(response) + "\n")
        return buffer
    }
}

enum JSONValueEncoding {
    static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
