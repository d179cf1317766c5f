import DNSProto
import NIOCore
import NIOPosix

/// Plain DNS over UDP to one server.
///
/// Anti-spoofing (RFC 5452): every query gets a new ephemeral socket, bound to port 0, so
/// the kernel picks a fresh source port (Linux chooses UDP ephemeral ports at random) and a
/// random 16-bit ID; an off-path attacker must guess both. The socket accepts datagrams only
/// from the server's address and port, and only an answer that echoes ID and question (see
/// `UpstreamQuery.accept`); anything else is dropped and the wait goes on until the timeout.
/// The cost is a socket()/bind()/close() per query, which is small next to a network RTT.
struct UDPTransport: UpstreamTransport {
    let server: SocketAddress

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let promise = loop.makePromise(of: Message.self)
        let id = UpstreamQuery.randomID()
        let server = self.server
        let bindHost = server.protocol == .inet6 ? "::" : "0.0.0.0"
        DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPExchangeHandler(server: server, query: query, id: id, promise: promise))
                }
            }
            .bind(host: bindHost, port: 0)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(UpstreamError.connection("\(error)"))
                case .success(let channel):
                    let timer = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(UpstreamError.timeout) }
                    promise.futureResult.whenComplete { _ in
                        timer.cancel()
                        channel.close(promise: nil)
                    }
                    var buffer = channel.allocator.buffer(capacity: query.wire.count)
                    buffer.writeBytes(query.wire(id: id))
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: buffer)).whenFailure { error in
                        promise.fail(UpstreamError.connection("\(error)"))
                    }
                }
            }
        return promise.futureResult
    }
}

/// Waits on one query socket for the genuine answer.
private final class UDPExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let server: SocketAddress
    let query: UpstreamQuery
    let id: UInt16
    let promise: EventLoopPromise<Message>

    init(server: SocketAddress, query: UpstreamQuery, id: UInt16, promise: EventLoopPromise<Message>) {
        self.server = server
        self.query = query
        self.id = id
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Only the server we asked may answer (address and port).
        guard envelope.remoteAddress == server else { return }
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes),
              let message = query.accept(bytes, id: id) else { return }
        promise.succeed(message)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable arrives as ECONNREFUSED on some stacks: the server is not there.
        promise.fail(UpstreamError.connection("\(error)"))
    }
}
