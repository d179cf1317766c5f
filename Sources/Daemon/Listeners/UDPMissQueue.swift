import CDatagramBatch
import Foundation
import Glibc
import NIOCore
import Resolver

/// A datagram the packet cache could not answer: the query's bytes and who sent it.
struct UDPMiss: Sendable {
    let request: [UInt8]
    let peer: sockaddr_storage
    let peerLength: socklen_t
    /// From the relay: this upstream's UDP answer was truncated (ask it over TCP).
    let truncatedBy: Upstream?
    /// Admission's ticket when the worker already admitted the query (plain queries).
    let ticket: AdmissionTicket?

    init(request: [UInt8], peer: UnsafePointer<sockaddr>, peerLength: socklen_t, ticket: AdmissionTicket?) {
        self.request = request
        self.peer = sockaddr_storage(copyingPeer: peer, length: peerLength)
        self.peerLength = peerLength
        truncatedBy = nil
        self.ticket = ticket
    }

    /// A query the relay gave back to the full path.
    init(_ handOff: RelayHandOff) {
        request = handOff.request
        peer = handOff.peer
        peerLength = handOff.peerLength
        truncatedBy = handOff.truncatedBy
        ticket = handOff.ticket
    }

    /// NIO's form of the peer, for the query context (plugins, ECS, the cache's subnet keys).
    var client: SocketAddress? {
        peer.withPeerPointer { address -> SocketAddress? in
            switch Int32(address.pointee.sa_family) {
            case AF_INET: return SocketAddress(UnsafeRawPointer(address).load(as: sockaddr_in.self))
            case AF_INET6: return SocketAddress(UnsafeRawPointer(address).load(as: sockaddr_in6.self))
            default: return nil
            }
        }
    }
}

/// The event-loop side of a `UDPWorker`: runs the full pipeline for the datagrams the worker
/// hands over, and sends the answers on the worker's socket, all that are ready in one tick
/// with one `sendmmsg` (answers arrive one by one as upstreams reply).
///
/// At most `limits.miss_waiting` of its misses wait for an answer at once: past that a miss
/// is answered SERVFAIL naming the limit (or dropped) at once, so a flood of misses against a
/// slow upstream holds a bounded number of queries, sockets and timers.
final class UDPMissQueue: Sendable {
    private struct Outbox {
        var batch: OpaquePointer?
        var count: Int32 = 0
        var flushQueued = false
        var closed = false
        /// Misses taken whose answer is still pending.
        var waiting = 0
    }

    private let socket: Int32
    private let queries: QueryHandler
    let loop: EventLoop
    private let outbox: NIOLoopBoundBox<Outbox>
    private let telemetry: UDPWorkerTelemetry

    init(socket: Int32, queries: QueryHandler, loop: EventLoop, telemetry: UDPWorkerTelemetry) {
        self.socket = socket
        self.queries = queries
        self.loop = loop
        self.telemetry = telemetry
        outbox = NIOLoopBoundBox.makeBoxSendingValue(
            Outbox(batch: dnsd_batch_create(Int32(UDPWorker.burst), Int32(UDPWorker.slotSize))), eventLoop: loop)
    }

    /// From the worker's thread: one hop to the loop for the whole burst.
    func submit(_ misses: [UDPMiss]) {
        loop.execute { [self] in
            let limit = queries.pipeline.current.admission.inFlight.missWaiting
            for miss in misses { handle(miss, limit: limit) }
            flush()
        }
    }

    private func handle(_ miss: UDPMiss, limit: Int) {
        let context = QueryContext(client: miss.client, transport: .udp, eventLoop: loop, truncatedOverUDPBy: miss.truncatedBy)
        let result = outbox.value.waiting < limit
            ? queries.handle(miss.request, context: context, packetCacheTried: true, admitted: miss.ticket)
            : queries.rejectOverLimit(miss.request, context: context, limit: .missWaiting, admitted: miss.ticket)
        switch result {
        case .drop:
            return
        case .respond(let bytes):
            send(bytes, to: miss)
        case .pending(let pending):
            waitingChanged(by: 1)
            pending.whenReady { [self] bytes in
                waitingChanged(by: -1)
                guard let bytes else { return }
                send(bytes, to: miss)
                queueFlush()
            }
        }
    }

    private func waitingChanged(by delta: Int) {
        outbox.value.waiting += delta
        telemetry.missWaitingChanged(by: delta, to: outbox.value.waiting)
    }

    private func send(_ bytes: [UInt8], to miss: UDPMiss) {
        guard !outbox.value.closed, let batch = outbox.value.batch, bytes.count <= UDPWorker.slotSize else { return }
        if outbox.value.count == Int32(UDPWorker.burst) { flush() }
        let index = outbox.value.count
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(start: dnsd_batch_buffer(batch, index), count: UDPWorker.slotSize).copyMemory(from: source)
        }
        dnsd_batch_set_length(batch, index, Int32(bytes.count))
        miss.peer.withPeerPointer { dnsd_batch_set_address(batch, index, $0, miss.peerLength) }
        outbox.value.count += 1
    }

    /// Answers that came in during this tick go out together after it.
    private func queueFlush() {
        guard !outbox.value.flushQueued else { return }
        outbox.value.flushQueued = true
        loop.assumeIsolated().execute { [self] in
            outbox.value.flushQueued = false
            flush()
        }
    }

    private func flush() {
        guard outbox.value.count > 0, let batch = outbox.value.batch else { return }
        _ = dnsd_batch_send(socket, batch, outbox.value.count)
        outbox.value.count = 0
    }

    /// After the worker stopped: closes the socket on the loop (answers still pending are dropped).
    func close() {
        loop.execute { [self] in
            guard !outbox.value.closed else { return }
            outbox.value.closed = true
            dnsd_batch_destroy(outbox.value.batch)
            outbox.value.batch = nil
            Glibc.close(socket)
        }
    }
}

/// The copy and the pointer back, here rather than from Resolver's `init(copying:length:)`:
/// since the dnstap and query-log code joined the Daemon module, its files no longer see
/// Resolver's extension of `sockaddr_storage` (the compiler finds only the empty initializer),
/// which is not understood yet.
extension sockaddr_storage {
    fileprivate init(copyingPeer address: UnsafePointer<sockaddr>, length: socklen_t) {
        self.init()
        let count = min(Int(length), MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutableBytes(of: &self) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: count)) }
    }

    fileprivate func withPeerPointer<T>(_ body: (UnsafePointer<sockaddr>) throws -> T) rethrows -> T {
        try withUnsafePointer(to: self) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
