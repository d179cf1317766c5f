/// The most frequent keys of a stream, counted in bounded memory: a Misra-Gries summary whose
/// decrements are batched, which makes it mergeable (Agarwal et al., "Mergeable Summaries", 2012).
///
/// Every estimate is at most the key's true count and at most `undercount` below it, and
/// `undercount` stays at most N / (capacity + 1) for a stream (or a merge of streams) of N
/// keys. A key more frequent than that is always held. The summary keeps up to twice
/// `capacity` keys between compactions, so an insertion costs O(log capacity) amortized.
public struct FrequentItems<Key: Hashable & Sendable>: Sendable {
    public let capacity: Int
    public private(set) var counts: [Key: UInt64] = [:]
    /// How far below its true count any estimate may be.
    public private(set) var undercount: UInt64 = 0
    /// Keys counted, held or not.
    public private(set) var total: UInt64 = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public mutating func add(_ key: Key, count: UInt64 = 1) {
        counts[key, default: 0] += count
        total += count
        if counts.count > 2 * capacity { compact() }
    }

    /// Adds another summary's counts; the bounds add up as they would for one stream.
    public mutating func merge(_ other: FrequentItems) {
        for (key, count) in other.counts {
            counts[key, default: 0] += count
            if counts.count > 2 * capacity { compact() }
        }
        total += other.total
        undercount += other.undercount
    }

    /// Down to `capacity` keys now (a summary about to be kept for long).
    public mutating func shrink() {
        if counts.count > capacity { compact() }
    }

    /// The `limit` largest estimates, largest first (which of equal counts at the cut make it
    /// is not defined).
    public func top(_ limit: Int) -> [(key: Key, count: UInt64)] {
        counts.sorted { $0.value > $1.value }.prefix(max(0, limit)).map { (key: $0.key, count: $0.value) }
    }

    /// Subtracts the (capacity+1)-th largest count from every count and drops the keys that
    /// reach zero. That removes at least (capacity+1) times the cut from the summary's mass,
    /// which is what bounds `undercount`.
    private mutating func compact() {
        var values = Array(counts.values)
        values.sort(by: >)
        let cut = values[capacity]
        counts = counts.compactMapValues { $0 > cut ? $0 - cut : nil }
        undercount += cut
    }
}
