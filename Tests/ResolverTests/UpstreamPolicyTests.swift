import Testing
@testable import Resolver

/// A deterministic generator so policy orders can be checked exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Upstream policies")
struct UpstreamPolicyTests {
    var random = SeededGenerator(state: 42)

    @Test("sequential keeps configured order")
    mutating func sequential() {
        #expect(UpstreamPolicy.sequential.order([0, 1, 2], counter: 7, rtts: [:], using: &random) == [0, 1, 2])
        #expect(UpstreamPolicy.sequential.order([2, 5], counter: 0, rtts: [2: 100, 5: 1], using: &random) == [2, 5])
    }

    @Test("round robin rotates the first upstream with the counter and keeps the rest as failover")
    mutating func roundRobin() {
        let firsts = (0..<6).map { UpstreamPolicy.roundRobin.order([0, 1, 2], counter: $0, rtts: [:], using: &random) }
        #expect(firsts.map(\.first!) == [0, 1, 2, 0, 1, 2])
        #expect(firsts[1] == [1, 2, 0])
    }

    @Test("random is a permutation and spreads the first pick")
    mutating func randomOrder() {
        var firsts: [Int: Int] = [:]
        for counter in 0..<3000 {
            let order = UpstreamPolicy.random.order([0, 1, 2], counter: counter, rtts: [:], using: &random)
            #expect(order.sorted() == [0, 1, 2])
            firsts[order[0], default: 0] += 1
        }
        for index in 0..<3 { #expect((800...1200).contains(firsts[index] ?? 0), "\(firsts)") }
    }

    @Test("fastest prefers the lowest smoothed RTT and probes the others about 5% of the time")
    mutating func fastest() {
        let rtts: [Int: Double] = [0: 40, 1: 5, 2: 20]
        var firsts: [Int: Int] = [:]
        let rounds = 10_000
        for counter in 0..<rounds {
            let order = UpstreamPolicy.fastest.order([0, 1, 2], counter: counter, rtts: rtts, using: &random)
            #expect(order.sorted() == [0, 1, 2])
            firsts[order[0], default: 0] += 1
        }
        let probes = rounds - (firsts[1] ?? 0)
        #expect(Double(probes) / Double(rounds) > 0.03 && Double(probes) / Double(rounds) < 0.07, "\(firsts)")
        #expect((firsts[0] ?? 0) > 0 && (firsts[2] ?? 0) > 0, "both slower upstreams get probes: \(firsts)")
    }

    @Test("fastest sorts the failover order by RTT and tries unmeasured upstreams first")
    mutating func fastestOrder() {
        var noProbe = SeededGenerator(state: 1)
        var orders: [[Int]: Int] = [:]
        for _ in 0..<200 {
            orders[UpstreamPolicy.fastest.order([0, 1, 2], counter: 0, rtts: [0: 40, 2: 20], using: &noProbe), default: 0] += 1
        }
        let common = orders.max { $0.value < $1.value }!.key
        #expect(common == [1, 2, 0], "\(orders)")
    }

    @Test("a single candidate is returned as is")
    mutating func single() {
        for policy in UpstreamPolicy.allCases {
            #expect(policy.order([3], counter: 9, rtts: [:], using: &random) == [3])
        }
    }
}

@Suite("RTT tracking")
struct RTTTrackerTests {
    @Test("the smoothed RTT starts at the first sample and moves an eighth of each difference")
    func smoothing() {
        var tracker = RTTTracker()
        #expect(tracker.smoothed == nil)
        tracker.record(milliseconds: 80)
        #expect(tracker.smoothed == 80)
        tracker.record(milliseconds: 160)
        #expect(tracker.smoothed == 90)
        tracker.record(milliseconds: 10)
        #expect(tracker.smoothed == 80)
    }

    @Test("p50 and p99 by nearest rank over the recent window")
    func percentiles() {
        var tracker = RTTTracker(capacity: 100)
        #expect(tracker.percentile(50) == nil)
        for value in (1...100).reversed() { tracker.record(milliseconds: Double(value)) }
        #expect(tracker.percentile(50) == 50)
        #expect(tracker.percentile(99) == 99)
        #expect(tracker.percentile(100) == 100)
        #expect(tracker.percentile(0) == 1)
    }

    @Test("the window keeps only the latest samples, oldest first")
    func window() {
        var tracker = RTTTracker(capacity: 4)
        for value in 1...10 { tracker.record(milliseconds: Double(value)) }
        #expect(tracker.recent == [7, 8, 9, 10])
        #expect(tracker.percentile(50) == 8)
        #expect(tracker.percentile(99) == 10)
    }
}
