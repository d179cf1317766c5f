import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The UDP sockets upstream queries leave from: per event loop and address family, a fixed set
/// of sockets bound to kernel-chosen (random, on Linux) ephemeral ports, shared by every query
/// and every upstream on that loop, in the way of Unbound's `outgoing-range`.
///
/// Why not a fresh socket per query: opening, registering and closing a NIO channel costs about
/// 60 µs of CPU, several times the rest of a forwarded query. Anti-spoofing (RFC 5452) comes
/// from what an off-path attacker must guess: the 16-bit random ID, which of `socketsPerFamily`
/// random source ports the query left from, and (with `case_randomization`) the 0x20 pattern.
/// Each socket is retired after `queriesPerSocket` queries and a new one bound in its place,
/// so the ports keep moving. An answer must come from the server's address and port and echo
/// the ID and question (`UpstreamQuery.accept`); anything else is dropped and the wait goes on.
///
/// Writes are flushed once per event-loop tick, so the queries a burst of client datagrams
/// produces go out in one `sendmmsg`.
final class UDPSocketPool: Sendable {
    /// One pool for the process: the sockets belong to the event loops, not to a plugin, so a
    /// config reload that builds new upstreams keeps them.
    static let shared = UDPSocketPool(socketsPerFamily: 32, queriesPerSocket: 512)

    let socketsPerFamily: Int
    let queriesPerSocket: Int
    private let loops = NIOLockedValueBox<[ObjectIdentifier: LoopSockets]>([:])

    init(socketsPerFamily: Int, queriesPerSocket: Int) {
        self.socketsPerFamily = socketsPerFamily
        self.queriesPerSocket = queriesPerSocket
    }

    /// Sends `query` to `server` from one of `loop`'s sockets and hands `done` (on `loop`) the
    /// genuine answer, or `UpstreamError.timeout` after `timeout`.
    func exchange(_ query: UpstreamQuery, server: SocketAddress, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        let key = ObjectIdentifier(loop)
        let sockets = loops.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = LoopSockets(loop: loop, size: socketsPerFamily, queriesPerSocket: queriesPerSocket)
            map[key] = created
            return created
        }
        if loop.inEventLoop { return sockets.send(query, to: server, timeout: timeout, then: done) }
        loop.execute { sockets.send(query, to: server, timeout: timeout, then: done) }
    }
}

/// One event loop's sockets; all state is confined to that loop.
private final class LoopSockets: Sendable {
    private struct State {
        var inet: [UpstreamDatagramHandler?]
        var inet6: [UpstreamDatagramHandler?]
        /// Sockets written to since the last flush.
        var unflushed: [UpstreamDatagramHandler] = []
    }

    private let loop: EventLoop
    private let queriesPerSocket: Int
    private let state: NIOLoopBoundBox<State>

    init(loop: EventLoop, size: Int, queriesPerSocket: Int) {
        self.loop = loop
        self.queriesPerSocket = queriesPerSocket
        state = NIOLoopBoundBox.makeBoxSendingValue(
            State(inet: Array(repeating: nil, count: size), inet6: Array(repeating: nil, count: size)), eventLoop: loop)
    }

    func send(_ query: UpstreamQuery, to server: SocketAddress, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        loop.preconditionInEventLoop()
        let inet6 = server.protocol == .inet6
        let size = inet6 ? state.value.inet6.count : state.value.inet.count
        let slot = Int.random(in: 0..<size)
        var socket = inet6 ? state.value.inet6[slot] : state.value.inet[slot]
        if socket == nil || socket!.exhausted {
            socket?.retire()
            let fresh = bind(inet6: inet6)
            if inet6 { state.value.inet6[slot] = fresh } else { state.value.inet[slot] = fresh }
            socket = fresh
        }
        let handler = socket!
        handler.whenBound { [self] result in
            switch result {
            case .failure(let error):
                done(.failure(UpstreamError.connection("\(error)")))
                // The next query tries a new bind in this slot.
                if inet6 { if state.value.inet6[slot] === handler { state.value.inet6[slot] = nil } }
                else if state.value.inet[slot] === handler { state.value.inet[slot] = nil }
            case .success:
                handler.send(query, to: server, timeout: timeout, then: done)
                queueFlush(handler)
            }
        }
    }

    private func bind(inet6: Bool) -> UpstreamDatagramHandler {
        let handler = UpstreamDatagramHandler(loop: loop, queriesPerSocket: queriesPerSocket)
        let bound = NIOLoopBound(handler, eventLoop: loop)
        let channel = DatagramBootstrap(group: loop)
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: 32)
            // One recvmmsg per readiness: epoll is level-triggered, so datagrams left over are
            // reported again, and NIO's default of reading on until EAGAIN cost one empty
            // recvmmsg per reply (an answer usually comes alone on its socket).
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 4096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
            }
            .bind(host: inet6 ? "::" : "0.0.0.0", port: 0)
        handler.binding(channel)
        return handler
    }

    /// Flushes every written socket once, after the loop has run this tick's work.
    private func queueFlush(_ handler: UpstreamDatagramHandler) {
        state.value.unflushed.append(handler)
        guard state.value.unflushed.count == 1 else { return }
        loop.assumeIsolated().execute { [self] in
            let written = state.value.unflushed
            state.value.unflushed.removeAll(keepingCapacity: true)
            for handler in written { handler.flush() }
        }
    }
}

/// One upstream socket: the queries waiting on it by ID, and their answers.
private final class UpstreamDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private struct Waiting {
        let server: SocketAddress
        let query: UpstreamQuery
        let done: UpstreamReply
        /// Tells this send from an earlier one that used the same ID (`UpstreamDeadlines`).
        let serial: UInt64
    }

    private let loop: EventLoop
    private let queriesPerSocket: Int
    private var channel: Channel?
    private var bindResult: EventLoopFuture<Channel>?
    private var waiting: [UInt16: Waiting] = [:]
    private var deadlines = UpstreamDeadlines()
    /// The one timer for the earliest deadline, and when it fires.
    private var sweep: (task: Scheduled<Void>, at: NIODeadline)?
    private var sent = 0
    private var retired = false
    private var dirty = false

    init(loop: EventLoop, queriesPerSocket: Int) {
        self.loop = loop
        self.queriesPerSocket = queriesPerSocket
    }

    /// Has carried its share of queries: the pool binds a new socket in its place.
    var exhausted: Bool { sent >= queriesPerSocket }

    func binding(_ future: EventLoopFuture<Channel>) {
        bindResult = future
        future.assumeIsolated().whenSuccess { self.channel = $0 }
    }

    /// Runs `body` once the socket is bound (at once when it is).
    func whenBound(_ body: @escaping (Result<Channel, any Error>) -> Void) {
        if let channel { return body(.success(channel)) }
        bindResult!.assumeIsolated().whenComplete(body)
    }

    func send(_ query: UpstreamQuery, to server: SocketAddress, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        guard let channel else { return done(.failure(UpstreamError.connection("socket not bound"))) }
        var id = UpstreamQuery.randomID()
        // IDs in use on this socket would make two waits indistinguishable: draw again.
        while waiting[id] != nil { id = UpstreamQuery.randomID() }
        sent += 1
        let now = NIODeadline.now()
        waiting[id] = Waiting(server: server, query: query, done: done, serial: UInt64(sent))
        deadlines.add(id: id, serial: UInt64(sent), timeout: timeout, now: now)
        armSweep(at: now + timeout)
        var buffer = channel.allocator.buffer(capacity: query.wire.count)
        buffer.writeBytes(query.wire)
        buffer.setInteger(id, at: buffer.readerIndex)
        let written = channel.write(AddressedEnvelope(remoteAddress: server, data: buffer))
        dirty = true
        written.assumeIsolated().whenFailure { [self] error in
            guard let entry = waiting.removeValue(forKey: id) else { return }
            entry.done(.failure(UpstreamError.connection("\(error)")))
            closeIfDrained()
        }
    }

    private func isWaiting(_ id: UInt16, _ serial: UInt64) -> Bool { waiting[id]?.serial == serial }

    /// Makes sure the timer fires by `deadline`.
    private func armSweep(at deadline: NIODeadline) {
        if let sweep, sweep.at <= deadline { return }
        sweep?.task.cancel()
        let task = loop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in expire() }
        sweep = (task, deadline)
    }

    /// Fails the queries whose time is up, then arms the timer for the next deadline.
    private func expire() {
        sweep = nil
        for entry in deadlines.expired(at: .now(), isWaiting: isWaiting) {
            waiting.removeValue(forKey: entry.id)?.done(.failure(UpstreamError.timeout))
        }
        if let next = deadlines.earliest(isWaiting: isWaiting) { armSweep(at: next) }
        closeIfDrained()
    }

    func flush() {
        guard dirty else { return }
        dirty = false
        channel?.flush()
    }

    /// No new queries; closes once the last answer or timeout is in.
    func retire() {
        retired = true
        closeIfDrained()
    }

    private func closeIfDrained() {
        guard retired, waiting.isEmpty, let channel else { return }
        self.channel = nil
        sweep?.task.cancel()
        sweep = nil
        channel.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let id: UInt16 = envelope.data.getInteger(at: envelope.data.readerIndex),
              let entry = waiting[id], envelope.remoteAddress == entry.server else { return }
        let bytes = Array(envelope.data.readableBytesView)
        guard let message = entry.query.accept(bytes, id: id) else { return }
        waiting.removeValue(forKey: id)
        // Answered entries leave the deadline queues' fronts here, so the queues stay about as
        // long as the queries in flight.
        deadlines.trim(isWaiting: isWaiting)
        entry.done(.success(message))
        closeIfDrained()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Per-datagram errors (an ICMP unreachable reported late) must not close a shared socket.
    }
}
