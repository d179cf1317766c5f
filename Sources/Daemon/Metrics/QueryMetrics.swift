import Atomics
import DNSProto
import Metrics
import Resolver

/// The query observer behind the Prometheus endpoint: counts every answered query into
/// swift-metrics counters and a duration histogram (docs/metrics.md lists them).
///
/// Cost on the query path (measured by `MetricsObserverCostTests`): a few relaxed atomic
/// increments, one short lock for the histogram (swift-prometheus keeps its buckets under a
/// lock), and the server block lookup described in `ServerBlockCounters`. Every metric object is
/// made once, the first time its label values occur, never per query; label values come from
/// small fixed sets (transport, rcode, answer source) or from the configuration (server
/// blocks), never from query names or client addresses.
public final class QueryMetrics: QueryObserver, Sendable {
    /// Histogram bounds for `dnsd_request_duration_seconds`: from a cache hit (tens of µs) to
    /// an upstream giving up (seconds). Prometheus' default buckets start at 5 ms, where a
    /// DNS server's interesting latencies have already happened.
    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// Rcodes 0...23 get their own series (23 is BADCOOKIE, the highest assigned below 3841);
    /// anything larger shares the last slot, labelled `OTHER`.
    static let rcodeSlots = 25

    private let factory: any MetricsFactory
    private let blocks: ServerBlockCounters
    private let bySource: [Counter]
    private let byRcode: [ManagedAtomicLazyReference<Counter>]
    private let started = ManagedAtomic<Int>(0)
    private let finished = ManagedAtomic<Int>(0)

    /// `pipeline` is the one queries run on (its server blocks name the `block` label);
    /// `factory` is normally the Prometheus factory `MetricsSetup` bootstrapped.
    public init(pipeline: PipelineReference, factory: any MetricsFactory) {
        self.factory = factory
        blocks = ServerBlockCounters(pipeline: pipeline, factory: factory)
        bySource = AnswerSource.kinds.map { Counter(label: "dnsd_answers_by_source_total", dimensions: [("source", $0)], factory: factory) }
        byRcode = (0..<Self.rcodeSlots).map { _ in ManagedAtomicLazyReference() }
    }

    public func queryStarted() {
        started.wrappingIncrement(ordering: .relaxed)
    }

    public func record(_ event: QueryEvent) {
        finished.wrappingIncrement(ordering: .relaxed)
        count(event)
    }

    /// A burst's events: the shared in-flight counters moved once, not twice per event.
    public func recordAnswered(_ events: [QueryEvent]) {
        started.wrappingIncrement(by: events.count, ordering: .relaxed)
        finished.wrappingIncrement(by: events.count, ordering: .relaxed)
        for event in events { count(event) }
    }

    private func count(_ event: QueryEvent) {
        let transport = event.transport.index
        let series = blocks.series(for: event.name, transport: transport)
        series.queries.increment()
        rcodeCounter(event.rcode).increment()
        bySource[event.source.kindIndex].increment()
        series.duration.recordNanoseconds(Int64(clamping: event.latencyNanos))
    }

    /// Queries parsed but not yet answered (waiting for an upstream, mostly). The two counters
    /// are read one after the other, so a scrape racing an answer may be off by one.
    public var inFlight: Int {
        let done = finished.load(ordering: .relaxed)
        return max(0, started.load(ordering: .relaxed) - done)
    }

    private func rcodeCounter(_ rcode: Rcode) -> Counter {
        let slot = min(Int(rcode.rawValue), Self.rcodeSlots - 1)
        if let counter = byRcode[slot].load() { return counter }
        let label = slot == Self.rcodeSlots - 1 ? "OTHER" : Rcode(rawValue: UInt16(slot)).description
        return byRcode[slot].storeIfNilThenLoad(Counter(label: "dnsd_answers_total", dimensions: [("rcode", label)], factory: factory))
    }

}
