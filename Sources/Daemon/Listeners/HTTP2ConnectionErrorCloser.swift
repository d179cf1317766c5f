import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 DoH connection once swift-nio-http2 reports that the peer went past one of
/// the `http2:` flood limits (stream resets, control frames, glitches, stream errors, empty DATA
/// or CONTINUATION frames, unread output). swift-nio-http2 has sent GOAWAY (ENHANCE_YOUR_CALM)
/// by then but leaves the socket open; without this the client would keep its connection slot
/// until `tcp.idle_timeout`. Other errors (one bad request: a stream error) only end their
/// stream, and the connection goes on.
final class HTTP2ConnectionErrorCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = Any

    static func isFlood(_ error: Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.ExcessiveRSTFrames, is NIOHTTP2Errors.ExcessiveControlFrames,
             is NIOHTTP2Errors.ExcessiveNumberOfGlitches, is NIOHTTP2Errors.ExcessiveStreamErrors,
             is NIOHTTP2Errors.ExcessiveEmptyDataFrames, is NIOHTTP2Errors.ExcessiveContinuationFrames,
             is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering:
            return true
        default:
            return false
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard Self.isFlood(error) else {
            context.fireErrorCaught(error)
            return
        }
        context.close(promise: nil)
    }
}
