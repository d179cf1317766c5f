/// Round-trip times of one upstream: a smoothed RTT for the `fastest` policy and a window of
/// recent samples for p50/p99 in the statistics.
///
/// The smoothing is TCP's SRTT (RFC 6298 §2: alpha 1/8), so one slow answer moves the
/// estimate by an eighth of the difference. The window is a fixed ring of the last
/// `capacity` samples; percentiles sort a copy, which only the statistics API does.
public struct RTTTracker: Sendable {
    public static let alpha = 0.125
    public let capacity: Int
    /// Smoothed RTT in milliseconds; nil before the first sample.
    public private(set) var smoothed: Double?
    private var samples: [Double] = []
    private var next = 0

    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
        samples.reserveCapacity(self.capacity)
    }

    public mutating func record(milliseconds value: Double) {
        if let current = smoothed {
            smoothed = current + Self.alpha * (value - current)
        } else {
            smoothed = value
        }
        if samples.count < capacity {
            samples.append(value)
        } else {
            samples[next] = value
        }
        next = (next + 1) % capacity
    }

    /// The recent samples, oldest first.
    public var recent: [Double] {
        samples.count < capacity ? samples : Array(samples[next...] + samples[..<next])
    }

    /// Nearest-rank percentile (p in 0...100) of the recent samples; nil when there are none.
    public func percentile(_ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
