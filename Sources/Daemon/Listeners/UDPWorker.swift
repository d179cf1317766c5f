import Atomics
import CDatagramBatch
import Foundation
import NIOCore
import Resolver

/// One thread serving one UDP socket (SO_REUSEPORT: one per worker on the same port, the
/// kernel spreads clients across them). It receives with `recvmmsg`, answers packet-cache hits
/// on the spot into its own send slots and sends them with one `sendmmsg` per burst: no event
/// loop, no allocation, no lock held across the burst. Everything else (misses, errors, every
/// other query) is handed in one batch to its event loop (`UDPMissQueue`), which runs the full
/// pipeline and sends those answers itself.
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
    private let stopping = ManagedAtomic(false)
    private let stopped = ManagedAtomic(false)
    private var thread: Thread?

    /// Binds `address` (SO_REUSEPORT); throws an IOError with the errno of the failed call.
    init(address: SocketAddress, queries: QueryHandler, loop: EventLoop) throws {
        let fd = address.withSockAddr { pointer, length in
            dnsd_udp_socket(pointer, socklen_t(length), Self.stopCheckMilliseconds)
        }
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        socket = fd
        port = Int(dnsd_bound_port(fd))
        self.queries = queries
        misses = UDPMissQueue(socket: fd, queries: queries, loop: loop)
    }

    func start(name: String) {
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux does not pass `Thread.name` to the OS,
            // and operators look for the workers in top -H and perf by this name.
            dnsd_name_thread(name)
            run()
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

    private func run() {
        guard let received = dnsd_batch_create(Int32(Self.burst), Int32(Self.slotSize)),
              let answers = dnsd_batch_create(Int32(Self.burst), Int32(Self.slotSize)) else {
            stopped.store(true, ordering: .releasing)
            return
        }
        defer {
            dnsd_batch_destroy(received)
            dnsd_batch_destroy(answers)
            stopped.store(true, ordering: .releasing)
        }
        var handOff: [UDPMiss] = []
        while !stopping.load(ordering: .relaxed) {
            let count = Int(dnsd_batch_receive(socket, received))
            guard count > 0 else { continue }  // timeout (stop check), EINTR, or a transient error
            var hits: Int32 = 0
            for index in 0..<Int32(count) {
                let length = Int(dnsd_batch_length(received, index))
                let request = UnsafeRawBufferPointer(start: dnsd_batch_buffer(received, index), count: length)
                let peer = dnsd_batch_address(received, index)!
                let out = UnsafeMutableRawBufferPointer(start: dnsd_batch_buffer(answers, hits), count: Self.slotSize)
                if let written = queries.cachedAnswer(request, into: out, client: ClientAddress(peer)) {
                    dnsd_batch_set_length(answers, hits, Int32(written))
                    dnsd_batch_set_address(answers, hits, peer, dnsd_batch_address_length(received, index))
                    hits += 1
                } else if length > 0 {
                    handOff.append(UDPMiss(request: Array(request), peer: peer, peerLength: dnsd_batch_address_length(received, index)))
                }
            }
            if hits > 0 { _ = dnsd_batch_send(socket, answers, hits) }
            if !handOff.isEmpty {
                misses.submit(handOff)
                handOff.removeAll(keepingCapacity: true)
            }
        }
    }
}
