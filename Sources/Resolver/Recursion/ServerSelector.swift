import NIOConcurrencyHelpers
import NIOCore

/// What the recursor knows about each authoritative server address: a smoothed RTT (the
/// forward plugin's `RTTTracker`, RFC 6298 smoothing), recent failures, and whether the
/// server must be asked without EDNS. It orders a delegation's addresses for asking and
/// picks each attempt's timeout.
///
/// Selection: the lowest estimate first, where an address never measured counts as
/// `unknownRTT` (so a known fast server wins, an unknown one beats a slow one) and every
/// failure in a row adds a penalty. With probability `exploration` one other address is
/// moved to the front, so estimates of servers not chosen lately stay current (as Unbound's
/// and BIND's selection do). Bounded: past `maxEntries` addresses the table starts over.
final class ServerSelector: Sendable {
    struct ServerState: Sendable {
        var rtt = RTTTracker(capacity: 8)
        var failures = 0
        var noEDNS = false
    }

    static let unknownRTT = 200.0
    static let failurePenalty = 400.0
    let exploration: Double
    let maxTimeout: TimeAmount
    let maxEntries: Int
    private let table = NIOLockedValueBox<[String: ServerState]>([:])

    init(maxTimeout: TimeAmount, exploration: Double = 0.05, maxEntries: Int = 20_000) {
        self.maxTimeout = maxTimeout
        self.exploration = exploration
        self.maxEntries = maxEntries
    }

    /// `addresses` in the order to ask them.
    func order(_ addresses: [String]) -> [String] {
        guard addresses.count > 1 else { return addresses }
        let estimates = table.withLockedValue { table in addresses.map { Self.estimate(table[$0]) } }
        var random = PooledKernelRandom()
        var indices = Array(addresses.indices).shuffled(using: &random)   // ties broken at random
        indices.sort { estimates[$0] < estimates[$1] }
        if Double.random(in: 0..<1, using: &random) < exploration {
            let pick = Int.random(in: 1..<indices.count, using: &random)
            indices.insert(indices.remove(at: pick), at: 0)
        }
        return indices.map { addresses[$0] }
    }

    static func estimate(_ state: ServerState?) -> Double {
        guard let state else { return unknownRTT }
        return (state.rtt.smoothed ?? unknownRTT) + Double(state.failures) * failurePenalty
    }

    /// How long to wait for `address`: four smoothed RTTs (at least 150 ms) once measured,
    /// else the configured timeout; never more than that.
    func timeout(for address: String) -> TimeAmount {
        guard let smoothed = table.withLockedValue({ $0[address]?.rtt.smoothed }) else { return maxTimeout }
        let wait = TimeAmount.milliseconds(Int64(max(150, smoothed * 4)))
        return min(wait, maxTimeout)
    }

    func recordAnswer(_ address: String, milliseconds: Double) {
        update(address) { state in
            state.rtt.record(milliseconds: milliseconds)
            state.failures = 0
        }
    }

    /// A timeout counts as an RTT of twice the wait, so the estimate moves away from the server.
    func recordTimeout(_ address: String, waited: TimeAmount) {
        update(address) { state in
            state.rtt.record(milliseconds: Double(waited.nanoseconds) / 500_000)
            state.failures += 1
        }
    }

    /// A refusal, a network error or a broken answer.
    func recordFailure(_ address: String) {
        update(address) { $0.failures += 1 }
    }

    func ednsDisabled(_ address: String) -> Bool { table.withLockedValue { $0[address]?.noEDNS ?? false } }

    func setEDNSDisabled(_ address: String) { update(address) { $0.noEDNS = true } }

    private func update(_ address: String, _ change: (inout ServerState) -> Void) {
        table.withLockedValue { table in
            if table[address] == nil && table.count >= maxEntries { table.removeAll(keepingCapacity: true) }
            change(&table[address, default: ServerState()])
        }
    }
}
