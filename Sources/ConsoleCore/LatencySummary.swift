import ControlProto

/// The latency pane's data for one window: percentiles and log2 buckets, in microseconds,
/// from `latency.histogram WINDOW`.
public struct LatencySummary: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        /// Upper bound of the bucket (the daemon's buckets are powers of two).
        public var limitMicros: Int
        public var count: Int
        public init(limitMicros: Int, count: Int) {
            self.limitMicros = limitMicros
            self.count = count
        }
    }

    public var window: Int
    public var count: Int
    public var p50: Int?
    public var p90: Int?
    public var p99: Int?
    public var max: Int?
    public var buckets: [Bucket]

    public init(window: Int, count: Int, p50: Int?, p90: Int?, p99: Int?, max: Int?, buckets: [Bucket]) {
        self.window = window
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.buckets = buckets
    }

    public init(json: JSONValue, window: Int) {
        self.init(window: window, count: json["count"]?.intValue ?? 0, p50: json["p50_us"]?.intValue,
                  p90: json["p90_us"]?.intValue, p99: json["p99_us"]?.intValue, max: json["max_us"]?.intValue,
                  buckets: json["buckets"]?.arrayValue?.compactMap { entry in
                      guard let limit = entry["le_us"]?.intValue, let count = entry["count"]?.intValue else { return nil }
                      return Bucket(limitMicros: limit, count: count)
                  } ?? [])
    }

    /// Exact percentiles of local samples (nearest rank, as the daemon computes them), for
    /// what the console measures itself: the latency of the filtered stream.
    public static func percentile(_ sorted: [Int], _ fraction: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((Double(sorted.count) * fraction).rounded(.up)) - 1
        return sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)]
    }

    /// The buckets worth drawing: from the first to the last non-empty one, at most `rows`
    /// of them (the slowest are merged into the last row so nothing is hidden).
    public func visibleBuckets(rows: Int) -> [Bucket] {
        guard rows > 0, let first = buckets.firstIndex(where: { $0.count > 0 }),
              let last = buckets.lastIndex(where: { $0.count > 0 }) else { return [] }
        var shown = Array(buckets[first...last])
        if shown.count > rows {
            let merged = shown[(rows - 1)...].reduce(0) { $0 + $1.count }
            shown = Array(shown.prefix(rows - 1)) + [Bucket(limitMicros: shown.last!.limitMicros, count: merged)]
        }
        return shown
    }

    /// Length of a bar in cells, proportional to the largest bucket; a non-empty bucket gets
    /// at least one cell so rare slow queries stay visible.
    public static func barLength(count: Int, largest: Int, width: Int) -> Int {
        guard count > 0, largest > 0, width > 0 else { return 0 }
        return Swift.max(1, Int((Double(count) / Double(largest) * Double(width)).rounded()))
    }

    /// `850µs`, `1.2ms`, `35ms`, `2.1s`.
    public static func format(micros: Int?) -> String {
        guard let micros else { return "-" }
        if micros < 1000 { return "\(micros)µs" }
        if micros < 10_000 { return "\(Double(micros / 100) / 10)ms" }
        if micros < 1_000_000 { return "\(micros / 1000)ms" }
        return "\(Double(micros / 100_000) / 10)s"
    }
}
