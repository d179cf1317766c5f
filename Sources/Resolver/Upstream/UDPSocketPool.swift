import Atomics
import CDatagramBatch
import DNSProto
import DequeModule
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The UDP sockets the full path's upstream queries (`forward` off the relay, recursion) leave
/// from, per event loop, in the way of Unbound's `outgoing-range`: each query leaves from a
/// socket of its own on a port no query used before, which the kernel picks at random across
/// the ephemeral range, so an off-path forger must guess the port as well as the 16-bit ID
/// (RFC 5452 §4), and a server that saw one query learns nothing about the next one's port.
///
/// Opening, registering and closing a NIO channel per query costs about 60 µs of CPU, several
/// times the rest of a forwarded query. So a socket whose query is over waits, idle, for the
/// next one, which first releases its port (`dnsd_udp_release_port`: one syscall); its next
/// send binds a new random one. Sockets idle for a second are closed, so the open ones follow
/// the load. At most `limit` (`limits.upstream_sockets`) are open per loop: at the cap a query
/// shares the port of a socket with queries out (an idle socket of the other address family
/// is closed first, to make room). An answer must come from the server's address and port and
/// echo the ID and question (`UpstreamQuery.accept`); anything else is dropped, counted as
/// mismatched, and the wait goes on.
///
/// Writes are flushed once per event-loop tick, so the queries a burst of client datagrams
/// produces go out together.
final class UDPSocketPool: Sendable {
    /// One pool for the process: the sockets belong to the event loops, not to a plugin, so a
    /// config reload that builds new upstreams keeps them.
    static let shared = UDPSocketPool()

    private let loops = NIOLockedValueBox<[ObjectIdentifier: LoopSockets]>([:])
    private let maximum = ManagedAtomic<Int>(InFlightLimits().upstreamSockets)

    /// Sockets one event loop keeps open at most (`limits.upstream_sockets`, from the
    /// pipeline in force: PipelineReference sets it).
    var limit: Int {
        get { maximum.load(ordering: .relaxed) }
        set { maximum.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Sends `query` to `server` from a socket of `loop` and hands `done` (on `loop`) the
    /// genuine answer, or `UpstreamError.timeout` after `timeout`. Answers that echo the ID but
    /// not the question are counted in `mismatched`.
    func exchange(_ query: UpstreamQuery, server: SocketAddress, on loop: EventLoop, timeout: TimeAmount,
                  mismatched: MismatchedAnswers?, then done: @escaping UpstreamReply) {
        let key = ObjectIdentifier(loop)
        let sockets = loops.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = LoopSockets(loop: loop, pool: self)
            map[key] = created
            return created
        }
        if loop.inEventLoop { return sockets.send(query, to: server, timeout: timeout, mismatched: mismatched, then: done) }
        loop.execute { sockets.send(query, to: server, timeout: timeout, mismatched: mismatched, then: done) }
    }
}

/// One event loop's sockets; all state is confined to that loop.
private final class LoopSockets: Sendable {
    private struct State {
        /// Sockets with no query waiting, by family (`UpstreamDatagramHandler.family`), the most
        /// recently used last: taken first, while the oldest close after a second.
        var idle: [Deque<UpstreamDatagramHandler>] = [[], []]
        /// Every open socket, by family.
        var open: [[UpstreamDatagramHandler]] = [[], []]
        /// Sockets written to since the last flush.
        var unflushed: [UpstreamDatagramHandler] = []
        var idleSweepArmed = false
    }

    private let loop: EventLoop
    private let pool: UDPSocketPool
    private let state: NIOLoopBoundBox<State>

    init(loop: EventLoop, pool: UDPSocketPool) {
        self.loop = loop
        self.pool = pool
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
    }

    func send(_ query: UpstreamQuery, to server: SocketAddress, timeout: TimeAmount, mismatched: MismatchedAnswers?,
              then done: @escaping UpstreamReply) {
        loop.preconditionInEventLoop()
        let family = server.protocol == .inet6 ? 1 : 0
        guard let handler = socket(family: family) else {
            return done(.failure(UpstreamError.connection("no upstream socket: errno \(errno)")))
        }
        handler.whenBound { [self] result in
            switch result {
            case .failure(let error):
                done(.failure(UpstreamError.connection("\(error)")))
                forget(handler)
            case .success:
                handler.send(query, to: server, timeout: timeout, mismatched: mismatched, then: done)
                queueFlush(handler)
            }
        }
    }

    /// A socket for one query, on a port no query used before when one can be had (see
    /// `UDPSocketPool`); nil when none can be opened and none of `family` is open.
    private func socket(family: Int) -> UpstreamDatagramHandler? {
        while let idle = state.value.idle[family].popLast() {
            idle.isIdle = false
            if idle.releasePort() { return idle }
            close(idle)
        }
        if state.value.open[0].count + state.value.open[1].count >= pool.limit {
            guard let other = state.value.idle[1 - family].popFirst() else { return state.value.open[family].randomElement() }
            other.isIdle = false
            close(other)
        }
        guard let fresh = open(family: family) else { return state.value.open[family].randomElement() }
        state.value.open[family].append(fresh)
        return fresh
    }

    /// A new socket, not bound yet: its first send binds a random port.
    private func open(family: Int) -> UpstreamDatagramHandler? {
        let fd = dnsd_udp_unbound_socket(family == 1 ? AF_INET6 : AF_INET)
        guard fd >= 0 else { return nil }
        let handler = UpstreamDatagramHandler(loop: loop, fd: fd, family: family) { [self] in becameIdle($0) }
        let bound = NIOLoopBound(handler, eventLoop: loop)
        let channel = DatagramBootstrap(group: loop)
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: 8)
            // One recvmmsg per readiness: epoll is level-triggered, so datagrams left over are
            // reported again, and NIO's default of reading on until EAGAIN cost one empty
            // recvmmsg per reply (an answer usually comes alone on its socket).
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 8 * 4096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
            }
            .withBoundSocket(fd)
        handler.binding(channel)
        return handler
    }

    private func becameIdle(_ handler: UpstreamDatagramHandler) {
        handler.isIdle = true
        handler.idleSince = .now()
        state.value.idle[handler.family].append(handler)
        armIdleSweep()
    }

    /// Closes the sockets idle for a second or more, once a second while any is idle.
    private func armIdleSweep() {
        guard !state.value.idleSweepArmed else { return }
        state.value.idleSweepArmed = true
        loop.assumeIsolated().scheduleTask(in: .seconds(1)) { [self] in
            state.value.idleSweepArmed = false
            let now = NIODeadline.now()
            for family in 0..<2 {
                while let oldest = state.value.idle[family].first, now - oldest.idleSince >= .seconds(1) {
                    state.value.idle[family].removeFirst()
                    oldest.isIdle = false
                    close(oldest)
                }
            }
            if !state.value.idle[0].isEmpty || !state.value.idle[1].isEmpty { armIdleSweep() }
        }
    }

    /// Closes a socket with no query waiting.
    private func close(_ handler: UpstreamDatagramHandler) {
        forget(handler)
        handler.retire()
    }

    private func forget(_ handler: UpstreamDatagramHandler) {
        if let index = state.value.open[handler.family].firstIndex(where: { $0 === handler }) {
            state.value.open[handler.family].remove(at: index)
        }
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
        let mismatched: MismatchedAnswers?
        let done: UpstreamReply
        /// Tells this send from an earlier one that used the same ID (`UpstreamDeadlines`).
        let serial: UInt64
    }

    private let loop: EventLoop
    /// The descriptor NIO's channel owns, for `releasePort` (valid while `channel` is set).
    private let fd: Int32
    /// 0: IPv4, 1: IPv6.
    let family: Int
    /// Told when the last waiting query is over (answered, timed out or failed).
    private let idle: (UpstreamDatagramHandler) -> Void
    /// In the pool's idle list, since `idleSince`.
    var isIdle = false
    var idleSince = NIODeadline.now()
    private var channel: Channel?
    private var bindResult: EventLoopFuture<Channel>?
    private var waiting: [UInt16: Waiting] = [:]
    private var deadlines = UpstreamDeadlines()
    /// The one timer for the earliest deadline, and when it fires.
    private var sweep: (task: Scheduled<Void>, at: NIODeadline)?
    private var sent = 0
    private var retired = false
    private var dirty = false

    init(loop: EventLoop, fd: Int32, family: Int, idle: @escaping (UpstreamDatagramHandler) -> Void) {
        self.loop = loop
        self.fd = fd
        self.family = family
        self.idle = idle
    }

    /// Lets go of the port the last send bound, so the next send binds a new random one;
    /// false when the socket is of no more use.
    func releasePort() -> Bool {
        guard channel != nil, !retired else { return false }
        return dnsd_udp_release_port(fd) == 0
    }

    func binding(_ future: EventLoopFuture<Channel>) {
        bindResult = future
        future.assumeIsolated().whenSuccess { self.channel = $0 }
    }

    /// Runs `body` once the socket is bound (at once when it is).
    func whenBound(_ body: @escaping (Result<Channel, any Error>) -> Void) {
        if let channel { return body(.success(channel)) }
        bindResult!.assumeIsolated().whenComplete(body)
    }

    func send(_ query: UpstreamQuery, to server: SocketAddress, timeout: TimeAmount, mismatched: MismatchedAnswers?,
              then done: @escaping UpstreamReply) {
        guard let channel else { return done(.failure(UpstreamError.connection("socket not bound"))) }
        var id = UpstreamQuery.randomID()
        // IDs in use on this socket would make two waits indistinguishable: draw again.
        while waiting[id] != nil { id = UpstreamQuery.randomID() }
        sent += 1
        let now = NIODeadline.now()
        waiting[id] = Waiting(server: server, query: query, mismatched: mismatched, done: done, serial: UInt64(sent))
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
            settle()
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
        settle()
    }

    func flush() {
        guard dirty else { return }
        dirty = false
        channel?.flush()
    }

    /// No new queries; closes once the last answer or timeout is in.
    func retire() {
        retired = true
        settle()
    }

    /// After a query is over: with none left, closed when retired, else idle in the pool.
    private func settle() {
        guard waiting.isEmpty else { return }
        guard retired else {
            if !isIdle, channel != nil { idle(self) }
            return
        }
        closeNow()
    }

    private func closeNow() {
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
        guard let message = entry.query.accept(bytes, id: id) else {
            entry.mismatched?.record()
            return
        }
        waiting.removeValue(forKey: id)
        // Answered entries leave the deadline queues' fronts here, so the queues stay about as
        // long as the queries in flight.
        deadlines.trim(isWaiting: isWaiting)
        entry.done(.success(message))
        settle()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Closed under us: the descriptor may soon name another socket, so never touch it again.
        channel = nil
        retired = true
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Per-datagram errors (an ICMP unreachable reported late) must not close a shared socket.
    }
}
