#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch
import DequeModule

/// The relay's sockets to one upstream address, each connected to it. Connected, because then
///
/// - the kernel keeps the route with the socket: no route lookup per query sent, and the
///   upstream's answers find the socket by its four-tuple;
/// - only that upstream's datagrams reach it (the relay still checks address, ID and
///   question, RFC 5452);
/// - an ICMP port unreachable comes back as ECONNREFUSED, and the queries waiting on the
///   socket fail over at once instead of at their deadline.
///
/// Source ports (RFC 5452 §4, Unbound's `outgoing-range`): a burst's queries for this upstream
/// leave in one `sendmmsg` from a socket on a port no query used before, chosen at random by
/// the kernel across the ephemeral range. Once its queries are over, the socket waits in
/// `idle`; the next burst moves it to a new port (`dnsd_udp_reconnect`: two syscalls and an
/// error check, against four to open, register and close a socket). Sockets idle for a
/// second are closed, so the open ones follow the load (`UDPRelay.closeIdleSockets`).
final class RelayUpstreamSockets {
    let address: sockaddr_storage
    let length: socklen_t
    /// The socket this burst's queries leave from, and how many are queued in `batch`.
    var burstSocket: RelaySocket?
    var queued: Int32 = 0
    let batch: OpaquePointer
    /// Sockets with no query waiting, the most recently used last (taken first: the oldest
    /// close when idle long enough).
    var idle: Deque<RelaySocket> = []
    /// Sockets of this upstream still open: idle, waiting and retired.
    var open = 0
    /// Left behind by a configuration change: no new queries, dropped once `open` is 0.
    var retired = false

    init?(server: RelayRoute.Server, burst: Int, slotSize: Int) {
        guard let batch = dnsd_batch_create(Int32(burst), Int32(slotSize)) else { return nil }
        self.batch = batch
        address = server.address
        length = server.length
    }

    deinit { dnsd_batch_destroy(batch) }

    func serves(_ server: RelayRoute.Server) -> Bool {
        address.withSockaddrPointer { mine in
            server.address.withSockaddrPointer { dnsd_sockaddr_equal(mine, length, $0, server.length) != 0 }
        }
    }

    /// A new socket connected to the upstream, or nil with errno set.
    func connectSocket() -> Int32? {
        let fd = address.withSockaddrPointer { dnsd_udp_connected_socket($0, length) }
        return fd >= 0 ? fd : nil
    }

    /// Moves `socket` to a new random port (see the type's comment); false with errno set
    /// when that failed and the socket is of no more use.
    func movePort(of socket: RelaySocket) -> Bool {
        address.withSockaddrPointer { dnsd_udp_reconnect(socket.fd, $0, length) } == 0
    }
}
