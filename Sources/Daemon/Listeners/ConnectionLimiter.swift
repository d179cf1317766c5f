import Atomics
import Resolver

/// Counts open stream connections (TCP, DoT, DoH) across all event loops against two caps:
/// `tcp.max_connections` in all, and `tcp.max_connections_per_client` for one client address,
/// so that one host cannot take every slot. Refusals, and connections closed by
/// `tcp.query_timeout`, are counted in `counters` (`limits.tcp_*` in `stats.get`).
final class ConnectionLimiter: Sendable {
    let limit: Int
    let perClientLimit: Int
    private let counters: AdmissionCounters?
    private let open = ManagedAtomic<Int>(0)
    /// Fixed size whatever the number of clients (`ClientCounterTable`, 256 KiB); clients that
    /// share a counter share the per-client cap. Nil when that cap is no tighter than the total.
    private let perClient: ClientCounterTable?

    /// `perClientLimit` left out: no cap per client beyond the total; `counters` nil: not counted.
    init(limit: Int, perClientLimit: Int = .max, counters: AdmissionCounters? = nil) {
        self.limit = limit
        self.perClientLimit = perClientLimit
        self.counters = counters
        perClient = perClientLimit < limit ? ClientCounterTable(size: 65536) : nil
    }

    /// Takes a slot for a connection from `client` (nil: a peer without an IP address, counted
    /// in the total only); false when a cap is reached (the caller closes the connection).
    func acquire(client: ClientAddress?) -> Bool {
        if open.loadThenWrappingIncrement(ordering: .relaxed) >= limit {
            open.wrappingDecrement(ordering: .relaxed)
            counters?.increment(.limitStreamConnections)
            return false
        }
        if let client, let perClient, !perClient.enter(client, limit: perClientLimit) {
            open.wrappingDecrement(ordering: .relaxed)
            counters?.increment(.limitStreamConnectionsPerClient)
            return false
        }
        return true
    }

    /// A connection of these listeners was closed by `tcp.query_timeout`.
    func countQueryTimeout() { counters?.increment(.limitQueryTimeout) }

    func release(client: ClientAddress?) {
        if let client, let perClient { perClient.leave(client) }
        open.wrappingDecrement(ordering: .relaxed)
    }

    var current: Int { open.load(ordering: .relaxed) }
}
