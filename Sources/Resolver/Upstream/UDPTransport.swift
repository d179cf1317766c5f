import DNSProto
import NIOCore

/// Plain DNS over UDP to one server, from the event loop's shared upstream sockets
/// (`UDPSocketPool`: random source ports, random IDs, answers checked against address, port,
/// ID and question).
struct UDPTransport: UpstreamTransport {
    let server: SocketAddress

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let promise = loop.makePromise(of: Message.self)
        exchange(query, on: loop, timeout: timeout) { promise.completeWith($0) }
        return promise.futureResult
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        UDPSocketPool.shared.exchange(query, server: server, on: loop, timeout: timeout, then: done)
    }
}
