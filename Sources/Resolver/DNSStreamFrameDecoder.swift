import NIOCore

/// Splits a DNS byte stream into messages: each is preceded by its length as two octets
/// (RFC 1035 §4.2.2, RFC 7766 §8). Used by the TCP/DoT listeners and by upstream connections.
public struct DNSStreamFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial frame at EOF is dropped: the client gave up on it.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
