import Atomics
import Resolver

/// Counts open stream connections (TCP, DoT, DoH) across all event loops against two caps:
/// `tcp.max_connections` in all, and `tcp.max_connections_per_client` for one client address,
/// so that one host cannot take every slot. Refusals, and connections closed by
/// `tcp.query_timeout`, are counted in `counters` (`limits.tcp_*` in `stats.get`).
/// `config.reload` changes the caps (`setLimits`): they decide for connections accepted from
/// then on, and open connections above a lowered cap stay open.
final class ConnectionLimiter: Sendable {
    private let limit: ManagedAtomic<Int>
    private let perClientLimit: ManagedAtomic<Int>
    private let counters: AdmissionCounters?
    private let open = ManagedAtomic<Int>(0)
    /// Fixed size whatever the number of clients (`ClientCounterTable`, 256 KiB); clients that
    /// share a counter share the per-client cap. Every connection is counted in it whatever the
    /// cap, so a cap lowered by a reload counts the connections already open. Nil: no cap per
    /// client (the metrics endpoint).
    private let perClient: ClientCounterTable?

    /// `perClientLimit` nil: no cap per client beyond the total; `counters` nil: not counted.
    init(limit: Int, perClientLimit: Int? = nil, counters: AdmissionCounters? = nil) {
        self.limit = ManagedAtomic(limit)
        self.perClientLimit = ManagedAtomic(perClientLimit ?? .max)
        self.counters = counters
        perClient = perClientLimit == nil ? nil : ClientCounterTable(size: 65536)
    }

    /// New caps for the connections accepted from now on.
    func setLimits(limit: Int, perClientLimit: Int) {
        self.limit.store(limit, ordering: .relaxed)
        self.perClientLimit.store(perClientLimit, ordering: .relaxed)
    }

    /// Takes a slot for a connection from `client` (nil: a peer without an IP address, counted
    /// in the total only); false when a cap is reached (the caller closes the connection).
    func acquire(client: ClientAddress?) -> Bool {
        if open.loadThenWrappingIncrement(ordering: .relaxed) >= limit.load(ordering: .relaxed) {
            open.wrappingDecrement(ordering: .relaxed)
            counters?.increment(.limitStreamConnections)
            return false
        }
        if let client, let perClient, !perClient.enter(client, limit: perClientLimit.load(ordering: .relaxed)) {
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
