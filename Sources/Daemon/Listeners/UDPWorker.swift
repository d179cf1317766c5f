import Atomics
import CDatagramBatch
import Foundation
import Logging
import NIOCore
import Resolver

/// One thread serving one UDP socket (SO_REUSEPORT: one per worker on the same port, the
/// kernel spreads clients across them). It receives with `recvmmsg`, answers packet-cache hits
/// on the spot into its own send slots and sends them with one `sendmmsg` per burst (answers
/// to one client with one length as one segmented message: `udp.segmentation`): no event
/// loop, no allocation, no lock held across the burst. Under load (the read found a datagram
/// within `udp.batch_wait`) it then sleeps that long so that the next queries gather into one
/// burst. Misses for relayable server blocks go to the thread's `UDPRelay`, which forwards
/// them and answers from its own upstream sockets (polled with the client socket while
/// anything waits: `ClientSocketWatch`).
/// Everything else (other misses, errors, every other query) is handed in one batch to its
/// event loop (`UDPMissQueue`), which runs the full pipeline and sends those answers itself.
///
/// Why a thread of its own rather than a NIO channel: a NIO datagram channel costs about 1 µs
/// of CPU per datagram in envelopes, address objects and pipeline dispatch, more than the
/// packet-cache hit itself (TOOLCHAIN.md: 2.5 µs per query through NIO, 1.5 µs with plain
/// recvmmsg/sendmmsg).
final class UDPWorker: @unchecked Sendable {
    /// Datagrams taken per `recvmmsg`; the slots are reused for every burst.
    static let burst = 64
    /// Largest datagram read; a query is small, but EDNS allows more on the wire.
    static let slotSize = 4096
    /// How often a blocked receive looks at the stop flag.
    static let stopCheckMilliseconds: Int32 = 250

    let socket: Int32
    let port: Int
    private let queries: QueryHandler
    private let misses: UDPMissQueue
    private let telemetry: UDPWorkerTelemetry
    private let stopping = ManagedAtomic(false)
    private let stopped = ManagedAtomic(false)
    private var thread: Thread?

    /// Binds `address` (SO_REUSEPORT); throws an IOError with the errno of the failed call.
    init(address: SocketAddress, queries: QueryHandler, loop: EventLoop, telemetry: UDPWorkerTelemetry) throws {
        let fd = address.withSockAddr { pointer, length in
            dnsd_udp_socket(pointer, socklen_t(length), Self.stopCheckMilliseconds)
        }
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        socket = fd
        port = Int(dnsd_bound_port(fd))
        self.queries = queries
        self.telemetry = telemetry
        misses = UDPMissQueue(socket: fd, queries: queries, loop: loop, telemetry: telemetry)
    }

    /// Starts the thread under `scheduling`, sleeping `batchWait` microseconds after each burst
    /// that did not fill `recvmmsg` (UDPSettings.swift says why for both).
    func start(name: String, scheduling: UDPSettings.Scheduling, batchWait: Int32, logger: Logger) {
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux does not pass `Thread.name` to the OS,
            // and operators look for the workers in top -H and perf by this name.
            dnsd_name_thread(name)
            // Also from inside: the policy is per thread.
            if dnsd_thread_batch_scheduling(scheduling == .batch ? 1 : 0) != 0 {
                let reason = String(cString: strerror(errno))
                logger.warning("\(name): cannot set scheduling \(scheduling) (\(reason)); running with the default policy")
            }
            // The kernel may end a sleep up to the thread's timer slack late (50 µs by default):
            // as much as the wait itself.
            if batchWait > 0 { _ = dnsd_thread_timer_slack(1_000) }
            run(batchWait: batchWait, name: name, logger: logger)
        }
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Stops the thread (within `stopCheckMilliseconds`) and closes the socket once it is out.
    func stop() async {
        stopping.store(true, ordering: .relaxed)
        while !stopped.load(ordering: .acquiring) { try? await Task.sleep(nanoseconds: 20_000_000) }
        misses.close()
    }

    private func run(batchWait: Int32, name: String, logger: Logger) {
        guard let received = dnsd_batch_create(Int32(Self.burst), Int32(Self.slotSize)),
              let answers = dnsd_batch_create(Int32(Self.burst), Int32(Self.slotSize)) else {
            stopped.store(true, ordering: .releasing)
            return
        }
        // Made here: the relay belongs to this thread, and its sockets close when the thread ends.
        let poller = dnsd_poller_create()
        let relay = poller >= 0 ? UDPRelay(queries: queries, loop: misses.loop, clientSocket: socket, poller: poller) : nil
        var watch = ClientSocketWatch(poller: poller, socket: socket)
        defer {
            dnsd_batch_destroy(received)
            dnsd_batch_destroy(answers)
            if poller >= 0 { Glibc.close(poller) }
            stopped.store(true, ordering: .releasing)
        }
        var handOff: [UDPMiss] = []
        var hits = HitBurst(capacity: Self.burst)
        var ready = [Int32](repeating: 0, count: 64)
        // The last burst took datagrams without filling recvmmsg: more are likely on their way.
        var busy = false
        var waitGuard = BatchWaitGuard(microseconds: batchWait)
        defer { if waitGuard.isSuspended { telemetry.resumed() } }
        // The relay's waiting count as last published to the telemetry (once per pass).
        var publishedWaiting = 0
        defer { telemetry.relayWaitingChanged(from: publishedWaiting, to: 0) }
        while !stopping.load(ordering: .relaxed) {
            if let relay, relay.waiting != publishedWaiting {
                telemetry.relayWaitingChanged(from: publishedWaiting, to: relay.waiting)
                publishedWaiting = relay.waiting
            }
            guard let relay, relay.waiting > 0 else {
                if busy { sleepBatchWait(&waitGuard, microseconds: batchWait, name: name, logger: logger) }
                // Nothing waits on an upstream: block in recvmmsg (its timeout is the stop check).
                watch.relayIdle()
                let asked = DispatchTime.now().uptimeNanoseconds
                let count = serveBurst(received: received, answers: answers, relay: relay, wait: true, hits: &hits, handOff: &handOff)
                // Quiet for a stop check's time: the relay's idle upstream sockets may go.
                if count == 0 { relay?.closeIdleSockets(now: DispatchTime.now().uptimeNanoseconds) }
                // Sleep next time only if this read found a datagram within the wait: under
                // load. After a quiet spell a sleep would gather nothing and only cost a timer
                // wake-up per query (and on a slowly waking idle vCPU trip the guard).
                busy = count > 0 && count < Self.burst && hits.arrival &- asked < waitGuard.wait
                continue
            }
            // Relayed queries wait: watch the client socket and the upstream sockets together,
            // no longer than the earliest upstream deadline (and, when the client socket could
            // not join the set, look at it every millisecond).
            // No batch wait here: the upstreams' answers and the clients' next queries arrive
            // on their own, and a sleep would only stall both sides of the forward path.
            busy = false
            watch.relayWaits()
            let limit = watch.watching ? Self.stopCheckMilliseconds : 1
            let count = ready.withUnsafeMutableBufferPointer {
                dnsd_poller_wait(poller, $0.baseAddress, Int32($0.count), relay.pollTimeout(limit: limit))
            }
            var clientReadable = !watch.watching
            for index in 0..<max(0, Int(count)) {
                if ready[index] == socket { clientReadable = true } else { relay.readable(ready[index]) }
            }
            if clientReadable {
                serveBurst(received: received, answers: answers, relay: relay, wait: watch.watching, hits: &hits, handOff: &handOff)
            }
            relay.expire()
            relay.flush()
            for truncated in relay.takeHandOffs() { handOff.append(UDPMiss(truncated)) }
            submitHandOff(&handOff)
        }
    }

    /// Sleeps the batch wait unless the guard has stopped the waits; the guard's stops and
    /// resumptions go to `telemetry`.
    private func sleepBatchWait(_ waitGuard: inout BatchWaitGuard, microseconds: Int32, name: String, logger: Logger) {
        let wasSuspended = waitGuard.isSuspended
        let wait = waitGuard.shouldWait()
        if wasSuspended && !waitGuard.isSuspended { telemetry.resumed() }
        guard wait else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        dnsd_nap(microseconds)
        guard waitGuard.slept(DispatchTime.now().uptimeNanoseconds - start) else { return }
        telemetry.suspended()
        guard waitGuard.suspensions == 1 else { return }
        // Expected on a virtual CPU that wakes slowly from idle: info, not a warning. Later
        // stops are counted (stats.get udp.batch_wait), not logged.
        logger.info("""
            \(name): udp.batch_wait sleeps of \(microseconds)us are ending more than that late; \
            blocking on the socket instead for the next \(BatchWaitGuard.suspendedBursts) bursts, then trying again \
            (stats.get udp.batch_wait counts these)
            """)
    }

    /// One `recvmmsg` burst: packet-cache hits answered at once, relayable misses given to the
    /// relay, the rest handed to the event loop. `wait`: block for the first datagram (up to
    /// the stop check) rather than take only what is queued.
    @discardableResult
    private func serveBurst(received: OpaquePointer, answers: OpaquePointer, relay: UDPRelay?, wait: Bool,
                            hits: inout HitBurst, handOff: inout [UDPMiss]) -> Int {
        let count = Int(wait ? dnsd_batch_receive(socket, received) : dnsd_batch_receive_queued(socket, received))
        guard count > 0 else { return 0 }  // timeout (stop check), EINTR, or a transient error
        hits.begin(cache: queries.pipeline.packetCache)
        // One pipeline read per burst: its admission judges every datagram of the burst. The
        // packet cache's generation first, so that a reload in between voids what the relay files.
        let generation = queries.pipeline.packetCache.generation
        let current = queries.pipeline.current
        let admission = current.admission
        relay?.beginBurst(arrival: hits.arrival, wall: hits.wall, pipeline: current, generation: generation)
        var answered: Int32 = 0
        for index in 0..<Int32(count) {
            let length = Int(dnsd_batch_length(received, index))
            let request = UnsafeRawBufferPointer(start: dnsd_batch_buffer(received, index), count: length)
            let peer = dnsd_batch_address(received, index)!
            let peerLength = dnsd_batch_address_length(received, index)
            let out = UnsafeMutableRawBufferPointer(start: dnsd_batch_buffer(answers, answered), count: Self.slotSize)
            switch queries.packetLookup(request, into: out, client: ClientAddress(peer), admission: admission, burst: &hits) {
            case .answered(let written):
                dnsd_batch_set_length(answers, answered, Int32(written))
                dnsd_batch_set_address(answers, answered, peer, peerLength)
                answered += 1
            case .dropped:
                continue
            case .missed(let query, let ticket, let stale):
                if let query, let ticket,
                   relay?.take(request, query: query, peer: peer, peerLength: peerLength, ticket: ticket, stale: stale) == true {
                    continue
                }
                if length > 0 { handOff.append(UDPMiss(request: Array(request), peer: peer, peerLength: peerLength, ticket: ticket)) }
            }
        }
        hits.answersReady()
        if answered > 0 { _ = dnsd_batch_send(socket, answers, answered) }
        hits.finish(observers: queries.observers)
        for refresh in hits.takeRefreshes() { relay?.refresh(refresh) }
        relay?.flush()
        submitHandOff(&handOff)
        return count
    }

    private func submitHandOff(_ handOff: inout [UDPMiss]) {
        guard !handOff.isEmpty else { return }
        misses.submit(handOff)
        handOff.removeAll(keepingCapacity: true)
    }
}
