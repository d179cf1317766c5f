/// The nearest-rank percentile of sorted values: the smallest value with at least `fraction`
/// of them at or below it; nil for no values. Shared by `latency.histogram` and `clients.show`.
func nearestRank(_ sorted: [UInt64], _ fraction: Double) -> UInt64? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((Double(sorted.count) * fraction).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
