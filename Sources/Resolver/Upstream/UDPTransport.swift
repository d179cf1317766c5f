import DNSProto
import NIOCore

/// Plain DNS over UDP to one server, from the event loop's upstream sockets (`UDPSocketPool`:
/// a fresh random source port per query, random IDs, answers checked against address, port,
/// ID and question).
struct UDPTransport: UpstreamTransport {
    let server: SocketAddress
    /// Where answers that do not echo the question are counted (the upstream's), if anywhere.
    var mismatched: MismatchedAnswers?

    init(server: SocketAddress, mismatched: MismatchedAnswers? = nil) {
        self.server = server
        self.mismatched = mismatched
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message> {
        let promise = loop.makePromise(of: Message.self)
        exchange(query, on: loop, timeout: timeout) { promise.completeWith($0) }
        return promise.futureResult
    }

    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        UDPSocketPool.shared.exchange(query, server: server, on: loop, timeout: timeout, mismatched: mismatched, then: done)
    }
}
