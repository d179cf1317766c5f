import ControlProto
import Foundation
import Resolver

/// `latency.histogram [window]`: percentiles and log2 buckets in microseconds. Without a
/// window, from the counters since `stats.reset` (bucket bounds); with one, exact values
/// from the events of the last `window` seconds still in the ring.
struct LatencyHistogramMethod: ControlMethod {
    let name = "latency.histogram"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        if let window = try params.optionalInt("window", in: 1...86400) {
            let since = UInt64(max(0, Date().timeIntervalSince1970 - Double(window)) * 1_000_000_000)
            let latencies = context.runtime.events.latencies(sinceNanos: since).map { $0 / 1000 }
            return Self.summary(latencies: latencies, window: window)
        }
        let (counters, _) = context.runtime.statsSinceReset()
        var result: [String: JSONValue] = ["count": .int(Int(counters.latencyBuckets.reduce(0, +)))]
        for (label, fraction) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            result["\(label)_us"] = counters.latencyPercentileMicros(fraction).map { .int(Int($0)) } ?? .null
        }
        result["buckets"] = .array(counters.latencyBuckets.enumerated().map { index, count in
            .object(["le_us": .int(Int(QueryCounters.bucketLimitMicros(index))), "count": .int(Int(count))])
        })
        return .object(result)
    }

    /// Exact percentiles (nearest rank) and the same log2 buckets.
    static func summary(latencies: [UInt64], window: Int) -> JSONValue {
        let sorted = latencies.sorted()
        func percentile(_ fraction: Double) -> JSONValue {
            guard !sorted.isEmpty else { return .null }
            let rank = Int((Double(sorted.count) * fraction).rounded(.up)) - 1
            return .int(Int(sorted[min(max(rank, 0), sorted.count - 1)]))
        }
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
