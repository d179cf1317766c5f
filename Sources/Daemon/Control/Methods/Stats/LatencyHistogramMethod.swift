import ControlProto
import Foundation
import Resolver

/// `latency.histogram [window]`: percentiles and log2 buckets in microseconds. Without a
/// window, since `stats.reset`; with a window of up to 63 s, from the daemon's per-second
/// histograms (cheap enough to poll every second); longer windows are computed exactly from
/// the events still in the ring. Bucket-based figures are bucket upper bounds.
struct LatencyHistogramMethod: ControlMethod {
    let name = "latency.histogram"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        guard let window = try params.optionalInt("window", in: 1...86400) else {
            return Self.summary(buckets: context.runtime.statsSinceReset().0.latencyBuckets, window: nil)
        }
        let now = Date().timeIntervalSince1970
        if window < LatencyBySecond.seconds {
            let buckets = context.runtime.counters.recentLatency.histogram(window: window, now: UInt64(now))
            return Self.summary(buckets: buckets, window: window)
        }
        let since = UInt64(max(0, now - Double(window)) * 1_000_000_000)
        let latencies = context.runtime.events.latencies(sinceNanos: since).map { $0 / 1000 }
        return Self.exactSummary(latencies: latencies, window: window)
    }

    /// Percentiles and max as the upper bounds of log2 buckets.
    static func summary(buckets: [UInt64], window: Int?) -> JSONValue {
        var snapshot = QueryCountersSnapshot()
        snapshot.latencyBuckets = buckets
        var result: [String: JSONValue] = ["count": .int(Int(buckets.reduce(0, +)))]
        if let window { result["window"] = .int(window) }
        for (label, fraction) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            result["\(label)_us"] = snapshot.latencyPercentileMicros(fraction).map { .int(Int($0)) } ?? .null
        }
        result["max_us"] = buckets.lastIndex(where: { $0 > 0 }).map { .int(Int(QueryCounters.bucketLimitMicros($0))) } ?? .null
        result["buckets"] = .array(buckets.enumerated().map { index, count in
            .object(["le_us": .int(Int(QueryCounters.bucketLimitMicros(index))), "count": .int(Int(count))])
        })
        return .object(result)
    }

    /// Exact percentiles (nearest rank) and the same log2 buckets.
    static func exactSummary(latencies: [UInt64], window: Int) -> JSONValue {
        let sorted = latencies.sorted()
        func percentile(_ fraction: Double) -> JSONValue { nearestRank(sorted, fraction).map { .int(Int($0)) } ?? .null }
        var buckets = [Int](repeating: 0, count: QueryCounters.latencyBuckets)
        for micros in sorted { buckets[QueryCounters.bucket(nanos: micros * 1000)] += 1 }
        return .object([
            "window": .int(window), "count": .int(sorted.count),
            "p50_us": percentile(0.5), "p90_us": percentile(0.9), "p99_us": percentile(0.99),
            "max_us": sorted.last.map { .int(Int($0)) } ?? .null,
            "buckets": .array(buckets.enumerated().map { .object(["le_us": .int(Int(QueryCounters.bucketLimitMicros($0))), "count": .int($1)]) }),
        ])
    }
}
