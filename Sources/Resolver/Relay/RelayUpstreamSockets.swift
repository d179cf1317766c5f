#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch

/// The relay's sockets to one upstream address: up to `UDPRelay.socketsPerUpstream`, each on
/// its own kernel-chosen random port and connected to the upstream. Connected, because then
///
/// - the kernel keeps the route with the socket: no route lookup per query sent, and the
///   upstream's answers find the socket by its four-tuple;
/// - only that upstream's datagrams reach it (the relay still checks address, ID and
///   question, RFC 5452);
/// - an ICMP port unreachable comes back as ECONNREFUSED, and the queries waiting on the
///   socket fail over at once instead of at their deadline.
///
/// A burst's queries for this upstream are written into `batch` and leave from one of the
/// sockets in one `sendmmsg`.
final class RelayUpstreamSockets {
    let address: sockaddr_storage
    let length: socklen_t
    /// Sockets new queries leave from; an empty slot gets a new socket when it is picked.
    var active: [RelaySocket?]
    /// The socket this burst's queries leave from, and how many are queued in `batch`.
    var burstSocket: RelaySocket?
    var queued: Int32 = 0
    let batch: OpaquePointer
    /// Sockets of this upstream still open, retired ones included.
    var open = 0
    /// Left behind by a configuration change: no new queries, dropped once `open` is 0.
    var retired = false

    init?(server: RelayRoute.Server, sockets: Int, burst: Int, slotSize: Int) {
        guard let batch = dnsd_batch_create(Int32(burst), Int32(slotSize)) else { return nil }
        self.batch = batch
        address = server.address
        length = server.length
        active = Array(repeating: nil, count: sockets)
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
}
