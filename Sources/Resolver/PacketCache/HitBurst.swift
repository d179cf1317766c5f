import Foundation

/// What the packet-cache hits of one UDP burst share: one reading of each clock for all of
/// them, and their query events, handed to the observers together once the burst's answers
/// are written (`QueryObserver.recordAnswered`: one lock for the event ring, one pass over
/// the counters' stripe) instead of one by one.
///
/// Why: with answers this cheap, three clock reads, a ring lock and a dozen counter updates
/// per hit were a visible part of the worker's user time, and with two workers the ring's
/// lock line bounced between the cores on every hit. A burst holds what one `recvmmsg`
/// returned, so its queries did arrive together; their latency is read when the burst's last
/// answer is ready, which is what each of them waited.
///
/// Owned by one UDP worker thread and reused: its array keeps its capacity between bursts.
public struct HitBurst {
    /// The packet cache's clock when the burst was read (TTL aging, expiry).
    public private(set) var cacheNow: UInt64 = 0
    private var arrivedAt = QueryHandler.Arrival()
    /// Monotonic and wall-clock arrival, for the events' latency and time.
    public var arrival: UInt64 { arrivedAt.uptime }
    public var wall: UInt64 { arrivedAt.wall }
    var events: [QueryEvent] = []
    /// The hits' dnstap messages (when dnstap is on), handed over with the events.
    private var tapped: [TapMessage] = []
    /// Whether dnstap is on, read once per burst rather than per hit.
    private var tapping = false
    /// This worker's rate tokens taken ahead (RRL), for its hits.
    let leases = RateLeases()
    /// Hits that found their entry due for a background refresh (prefetch, or an optimistic
    /// stale answer): the query of each, for the worker's relay to send upstream.
    private var refreshes: [PacketRefresh] = []

    public init(capacity: Int) {
        events.reserveCapacity(capacity)
    }

    /// Reads the clocks for a burst that just arrived at `cache`.
    public mutating func begin(cache: PacketCache) {
        cacheNow = cache.clock()
        arrivedAt = QueryHandler.Arrival()
        tapping = TapPoint.current != nil
    }

    mutating func append(_ event: QueryEvent) { events.append(event) }

    /// Keeps a copy of a hit's query and answer for dnstap, when it is on: the only cost dnstap
    /// adds to the hit path (the bytes are encoded and written by its own thread).
    mutating func tap(request: UnsafeRawBufferPointer, answer: UnsafeRawBufferPointer, client: ClientAddress?) {
        guard tapping else { return }
        tapped.append(TapMessage(kind: .client, transport: .udp, peer: client, query: Array(request), response: Array(answer),
                                 queryTime: wall, responseTime: wall))
    }

    mutating func refresh(_ request: UnsafeRawBufferPointer, query: PacketQuery, entry: PacketCacheEntry) {
        refreshes.append(PacketRefresh(request: Array(request), query: query, entry: entry))
    }

    /// The refreshes this burst's hits asked for, leaving none.
    public mutating func takeRefreshes() -> [PacketRefresh] {
        guard !refreshes.isEmpty else { return [] }
        defer { refreshes.removeAll(keepingCapacity: true) }
        return refreshes
    }

    /// Stamps the events' latency: call when the burst's answers are ready to send.
    public mutating func answersReady() {
        guard !events.isEmpty else { return }
        let latency = DispatchTime.now().uptimeNanoseconds &- arrival
        for index in events.indices { events[index].latencyNanos = latency }
    }

    /// Gives the burst's events to `observers` and empties the burst: call after the answers
    /// are sent, so that no client waits for the bookkeeping.
    public mutating func finish(observers: [any QueryObserver]) {
        if !tapped.isEmpty, let tap = TapPoint.current {
            tap.record(tapped)
            tapped.removeAll(keepingCapacity: true)
        }
        guard !events.isEmpty else { return }
        for observer in observers { observer.recordAnswered(events) }
        events.removeAll(keepingCapacity: true)
    }
}

/// A packet-cache entry to refresh in the background: the query (as a client sent it) whose
/// hit found it due. The relay asks its upstream the same question with nobody waiting, and
/// files the answer.
public struct PacketRefresh: Sendable {
    let request: [UInt8]
    let query: PacketQuery
    /// The entry to renew (its refresh is given back if none can be sent).
    let entry: PacketCacheEntry
}
