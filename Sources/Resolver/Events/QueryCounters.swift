import Atomics
import DNSProto

/// Running totals for `stats.get`: queries by transport, answers by rcode and by source,
/// and a latency histogram. Lock-free: each query does a few relaxed atomic increments.
public final class QueryCounters: QueryObserver, Sendable {
    /// log2 buckets of latency in microseconds: bucket i counts latencies below 2^i µs
    /// (bucket 0: < 1 µs ... bucket 23: < 8.4 s; the last bucket takes everything above).
    public static let latencyBuckets = 25

    private let total = ManagedAtomic<UInt64>(0)
    private let started = ManagedAtomic<UInt64>(0)
    private let byTransport: [ManagedAtomic<UInt64>] = Transport.allCases.map { _ in ManagedAtomic(0) }
    /// Indexed by rcode value 0...23; anything above lands in the last slot.
    private let byRcode: [ManagedAtomic<UInt64>] = (0..<24).map { _ in ManagedAtomic(0) }
    private let bySource: [ManagedAtomic<UInt64>] = AnswerSource.kinds.map { _ in ManagedAtomic(0) }
    private let latency: [ManagedAtomic<UInt64>] = (0..<QueryCounters.latencyBuckets).map { _ in ManagedAtomic(0) }
    private let truncatedAnswers = ManagedAtomic<UInt64>(0)
    /// The same latencies per wall-clock second, for windowed summaries.
    public let recentLatency = LatencyBySecond()

    public init() {}


    public func queryStarted() {
        started.wrappingIncrement(ordering: .relaxed)
    }

    /// Queries parsed and not answered yet (mostly waiting for upstreams). Read as two loads,
    /// so a reading that races an answer may be off by one.
    public var inFlight: UInt64 {
        let done = total.load(ordering: .relaxed)
        let begun = started.load(ordering: .relaxed)
        return begun > done ? begun - done : 0
    }

    public func record(_ event: QueryEvent) {
        total.wrappingIncrement(ordering: .relaxed)
        byTransport[event.transport.index].wrappingIncrement(ordering: .relaxed)
        byRcode[min(Int(event.rcode.rawValue), byRcode.count - 1)].wrappingIncrement(ordering: .relaxed)
        bySource[event.source.kindIndex].wrappingIncrement(ordering: .relaxed)
        latency[Self.bucket(nanos: event.latencyNanos)].wrappingIncrement(ordering: .relaxed)
        if event.truncated { truncatedAnswers.wrappingIncrement(ordering: .relaxed) }
        recentLatency.record(second: event.timeNanos / 1_000_000_000, latencyNanos: event.latencyNanos)
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
        snapshot.total = total.load(ordering: .relaxed)
        for (index, transport) in Transport.allCases.enumerated() {
            snapshot.byTransport[transport.rawValue] = byTransport[index].load(ordering: .relaxed)
        }
        for (index, counter) in byRcode.enumerated() {
            let value = counter.load(ordering: .relaxed)
            if value > 0 { snapshot.byRcode[Rcode(rawValue: UInt16(index)).description] = value }
        }
        for (index, name) in AnswerSource.kinds.enumerated() { snapshot.bySource[name] = bySource[index].load(ordering: .relaxed) }
        snapshot.latencyBuckets = latency.map { $0.load(ordering: .relaxed) }
        snapshot.truncated = truncatedAnswers.load(ordering: .relaxed)
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
