import Atomics

/// Latency histograms for each of the last 64 wall-clock seconds, so a windowed summary
/// (`latency.histogram 10`, polled every second by dnsconsole) reads 10 small histograms
/// instead of walking the event ring under the lock the query path takes.
///
/// Lock-free: a slot is tagged with its second; the first query of a new second claims the slot
/// with a compare-and-swap and clears it. A query racing that claim may land in the cleared
/// slot or be lost: an approximation that only touches the summary, never the answer.
public final class LatencyBySecond: Sendable {
    public static let seconds = 64
    private let tags: [ManagedAtomic<UInt64>] = (0..<LatencyBySecond.seconds).map { _ in ManagedAtomic(UInt64.max) }
    /// Striped like `QueryCounters` (the tags are read by every query but written once a second).
    private let buckets = StripedCounters(count: LatencyBySecond.seconds * QueryCounters.latencyBuckets)

    public init() {}

    public func record(second: UInt64, latencyNanos: UInt64, stripe: Int = StripedCounters.currentStripe) {
        let slot = Int(second % UInt64(Self.seconds))
        let tag = tags[slot].load(ordering: .acquiring)
        if tag != second {
            if tag != UInt64.max, tag > second { return }  // a late event for a slot already reused
            if tags[slot].compareExchange(expected: tag, desired: second, ordering: .acquiringAndReleasing).exchanged {
                for index in 0..<QueryCounters.latencyBuckets { buckets.clear(slot * QueryCounters.latencyBuckets + index) }
            }
        }
        buckets.increment(slot * QueryCounters.latencyBuckets + QueryCounters.bucket(nanos: latencyNanos), stripe: stripe)
    }

    /// The summed log2 buckets of the seconds in `(now - window, now]`.
    public func histogram(window: Int, now: UInt64) -> [UInt64] {
        var sum = [UInt64](repeating: 0, count: QueryCounters.latencyBuckets)
        let span = UInt64(min(max(window, 1), Self.seconds - 1))
        for second in (now >= span ? now - span + 1 : 0)...now {
            let slot = Int(second % UInt64(Self.seconds))
            guard tags[slot].load(ordering: .acquiring) == second else { continue }
            for index in 0..<QueryCounters.latencyBuckets {
                sum[index] += buckets.sum(slot * QueryCounters.latencyBuckets + index)
            }
        }
        return sum
    }
}
