import CDatagramBatch

/// Whether a UDP worker's client socket is in the worker's epoll set. It is there only while
/// relayed queries wait (the worker then polls the client socket and the upstream sockets
/// together) and for `lingerBursts` bursts after the last one is answered.
///
/// Why not always: an epoll watch is an entry on the socket's wait queue, and the kernel walks
/// that queue for every datagram the socket sends (the send buffer's space is given back when
/// loopback or the NIC frees it) and receives. In a perf profile of a warm mix (packet-cache
/// hits over 100k names) that walk was 2.5% of the worker's CPU, spent while it blocks in
/// `recvmmsg` and needs no epoll (docs/benchmarks.md).
/// The linger keeps a trickle of misses from paying an add and a remove each.
struct ClientSocketWatch {
    static let lingerBursts = 1024

    let poller: Int32
    let socket: Int32
    /// False also when adding it failed (the kernel is out of epoll watches): the worker then
    /// looks at the client socket on a short poll timeout instead.
    private(set) var watching = false
    private var idleBursts = 0

    init(poller: Int32, socket: Int32) {
        self.poller = poller
        self.socket = socket
    }

    /// Call while relayed queries wait; watches the socket if it is not watched yet.
    mutating func relayWaits() {
        idleBursts = 0
        if !watching { watching = dnsd_poller_add(poller, socket) == 0 }
    }

    /// Call once per burst served while nothing waits; stops watching after `lingerBursts`.
    mutating func relayIdle() {
        guard watching else { return }
        idleBursts += 1
        guard idleBursts >= Self.lingerBursts else { return }
        idleBursts = 0
        if dnsd_poller_remove(poller, socket) == 0 { watching = false }
    }
}
