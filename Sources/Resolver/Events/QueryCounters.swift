import Atomics
import DNSProto

/// Running totals for `stats.get`: queries by transport, answers by rcode and by source,
/// and a latency histogram. Lock-free: each query does a few relaxed atomic increments, in
/// the counting thread's own stripe (`StripedCounters`), so workers do not share cache lines.
public final class QueryCounters: QueryObserver, Sendable {
    /// log2 buckets of latency in microseconds: bucket i counts latencies below 2^i µs
    /// (bucket 0: < 1 µs ... bucket 23: < 8.4 s; the last bucket takes everything above).
    public static let latencyBuckets = 25

    // Slots in `counters`.
    private static let total = 0, started = 1, truncated = 2, transports = 3
    private static let rcodes = transports + Transport.allCases.count
    /// Indexed by rcode value 0...23; anything above lands in the last slot.
    private static let rcodeSlots = 24
    private static let sources = rcodes + rcodeSlots
    private static let latencies = sources + AnswerSource.kinds.count
    private let counters = StripedCounters(count: QueryCounters.latencies + QueryCounters.latencyBuckets)
    /// The same latencies per wall-clock second, for windowed summaries.
    public let recentLatency = LatencyBySecond()

    public init() {}

    public func queryStarted() {
        counters.increment(Self.started)
    }

    /// Queries parsed and not answered yet (mostly waiting for upstreams). Read as two sums,
    /// so a reading that races an answer may be off by one.
    public var inFlight: UInt64 {
        let done = counters.sum(Self.total)
        let begun = counters.sum(Self.started)
        return begun > done ? begun - done : 0
    }

    public func record(_ event: QueryEvent) {
        record(event, stripe: StripedCounters.currentStripe)
    }

    public func recordAnswered(_ events: [QueryEvent]) {
        let stripe = StripedCounters.currentStripe
        counters.add(UInt64(events.count), to: Self.started, stripe: stripe)
        for event in events { record(event, stripe: stripe) }
    }

    private func record(_ event: QueryEvent, stripe: Int) {
        counters.increment(Self.total, stripe: stripe)
        counters.increment(Self.transports + event.transport.index, stripe: stripe)
        counters.increment(Self.rcodes + min(Int(event.rcode.rawValue), Self.rcodeSlots - 1), stripe: stripe)
        counters.increment(Self.sources + event.source.kindIndex, stripe: stripe)
        counters.increment(Self.latencies + Self.bucket(nanos: event.latencyNanos), stripe: stripe)
        if event.truncated { counters.increment(Self.truncated, stripe: stripe) }
        recentLatency.record(second: event.timeNanos / 1_000_000_000, latencyNanos: event.latencyNanos, stripe: stripe)
    }

    /// The histogram bucket of a latency: the number of bits of its microseconds.
    public static func bucket(nanos: UInt64) -> Int {
        let micros = nanos / 1000
        return min(latencyBuckets - 1, micros == 0 ? 0 : 64 - micros.leadingZeroBitCount)
    }

    /// Upper bound (exclusive) of bucket `index`, in microseconds.
    public static func bucketLimitMicros(_ index: Int) -> UInt64 { index == 0 ? 1 : UInt64(1) << UInt64(index) }

    /// A consistent-enough copy of every counter (each read is atomic; the set is not).
    public func snapshot() -> QueryCountersSnapshot {
        var snapshot = QueryCountersSnapshot()
        snapshot.total = counters.sum(Self.total)
        for (index, transport) in Transport.allCases.enumerated() {
            snapshot.byTransport[transport.rawValue] = counters.sum(Self.transports + index)
        }
        for index in 0..<Self.rcodeSlots {
            let value = counters.sum(Self.rcodes + index)
            if value > 0 { snapshot.byRcode[Rcode(rawValue: UInt16(index)).description] = value }
        }
        for (index, name) in AnswerSource.kinds.enumerated() { snapshot.bySource[name] = counters.sum(Self.sources + index) }
        snapshot.latencyBuckets = (0..<Self.latencyBuckets).map { counters.sum(Self.latencies + $0) }
        snapshot.truncated = counters.sum(Self.truncated)
        return snapshot
    }
}

/// Plain values of `QueryCounters` at one moment; subtracting two gives the activity between.
public struct QueryCountersSnapshot: Sendable, Equatable {
    public var total: UInt64 = 0
    public var byTransport: [String: UInt64] = [:]
    public var byRcode: [String: UInt64] = [:]
    public var bySource: [String: UInt64] = [:]
    public var latencyBuckets: [UInt64] = []
    public var truncated: UInt64 = 0

    public init() {}

    /// `self - base`, per counter (for `stats.reset`, which never clears the live counters).
    public func subtracting(_ base: QueryCountersSnapshot) -> QueryCountersSnapshot {
        func minus(_ a: [String: UInt64], _ b: [String: UInt64]) -> [String: UInt64] {
            a.reduce(into: [:]) { $0[$1.key] = $1.value &- (b[$1.key] ?? 0) }
        }
        var result = QueryCountersSnapshot()
        result.total = total &- base.total
        result.byTransport = minus(byTransport, base.byTransport)
        result.byRcode = minus(byRcode, base.byRcode)
        result.bySource = minus(bySource, base.bySource)
        result.latencyBuckets = latencyBuckets.enumerated().map { $1 &- (base.latencyBuckets.count > $0 ? base.latencyBuckets[$0] : 0) }
        result.truncated = truncated &- base.truncated
        return result
    }

    /// The latency (µs, bucket upper bound) below which `fraction` of queries fall.
    public func latencyPercentileMicros(_ fraction: Double) -> UInt64? {
        let count = latencyBuckets.reduce(0, +)
        guard count > 0 else { return nil }
        let target = UInt64((Double(count) * fraction).rounded(.up))
        var running: UInt64 = 0
        for (index, value) in latencyBuckets.enumerated() {
            running += value
            if running >= max(1, target) { return QueryCounters.bucketLimitMicros(index) }
        }
        return QueryCounters.bucketLimitMicros(latencyBuckets.count - 1)
    }
}
