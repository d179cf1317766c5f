import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection that swift-nio-http2 has sent a GOAWAY for misbehaving: past one
/// of the `http2:` limits (stream resets, control frames, glitches; also empty DATA and
/// CONTINUATION floods, an oversized header block, output it does not read), or still sending
/// frames after a GOAWAY. swift-nio-http2 sends the GOAWAY and stops serving the connection but
/// leaves closing it to the application: without this handler a client flooding resets
/// (CVE-2023-44487) kept its connection, and its connection slot, and dnsd went on reading and
/// discarding everything it sent. An error of one stream (a bad header, a body longer than its
/// `content-length`) ends that stream only.
final class HTTP2MisbehaviourCloser: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if Self.endsConnection(error) {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }

    /// Whether `error` is one swift-nio-http2 raises as a connection error for a misbehaving peer.
    static func endsConnection(_ error: Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.ExcessiveRSTFrames, is NIOHTTP2Errors.ExcessiveControlFrames,
             is NIOHTTP2Errors.ExcessiveNumberOfGlitches, is NIOHTTP2Errors.ExcessiveStreamErrors,
             is NIOHTTP2Errors.ExcessiveEmptyDataFrames, is NIOHTTP2Errors.ExcessiveContinuationFrames,
             is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock, is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering,
             is NIOHTTP2Errors.IOOnClosedConnection:
            return true
        default:
            return false
        }
    }
}
