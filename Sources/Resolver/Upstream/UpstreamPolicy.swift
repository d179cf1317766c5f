/// How the `forward` plugin chooses among its upstreams for one query.
///
/// Every policy except `parallel` yields an order: the query goes to the first upstream, and
/// on a timeout, a network error, SERVFAIL or REFUSED to the next (failover), so the policies
/// differ only in who is asked first.
public enum UpstreamPolicy: String, Sendable, CaseIterable {
    /// In configured order: the first healthy upstream takes every query.
    case sequential
    /// Rotates the starting upstream with each query.
    case roundRobin = "round_robin"
    /// A random order for each query.
    case random
    /// Lowest smoothed RTT first; `probeRate` of the queries start with another upstream so
    /// RTTs of the others stay current. Upstreams without a sample yet go first.
    case fastest
    /// Asks every healthy upstream at once; the first good answer wins.
    case parallel

    /// The share of `fastest` queries sent to a random other upstream first.
    public static let probeRate = 0.05

    /// The order in which to try `candidates` (indices of healthy upstreams, in configured
    /// order). `counter` is a per-pool query counter (round robin), `rtts` the smoothed RTT of
    /// each candidate (nil when unknown), and `random` a generator, injectable for tests.
    public func order<G: RandomNumberGenerator>(_ candidates: [Int], counter: Int, rtts: [Int: Double],
                                                using random: inout G) -> [Int] {
        guard candidates.count > 1 else { return candidates }
        switch self {
        case .sequential, .parallel:
            return candidates
        case .roundRobin:
            let start = counter % candidates.count
            return Array(candidates[start...] + candidates[..<start])
        case .random:
            return candidates.shuffled(using: &random)
        case .fastest:
            // Stable sort: ties (and unknown RTTs, which count as 0) keep configured order.
            var ordered = candidates.enumerated().sorted { a, b in
                let ra = rtts[a.element] ?? 0, rb = rtts[b.element] ?? 0
                return ra == rb ? a.offset < b.offset : ra < rb
            }.map(\.element)
            if Double.random(in: 0..<1, using: &random) < Self.probeRate {
                let pick = Int.random(in: 1..<ordered.count, using: &random)
                ordered.insert(ordered.remove(at: pick), at: 0)
            }
            return ordered
        }
    }
}
