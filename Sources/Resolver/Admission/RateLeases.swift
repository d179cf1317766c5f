/// Tokens one UDP worker took ahead from busy rate accounts (`RateLimitTable`), so that two
/// workers answering the same busy network do not pass one account's clock word between
/// their cores on every answer. A worker takes up to a millisecond's worth of a network's rate
/// at once (at most 32 answers), spends it within that millisecond and gives back what is left,
/// so the account stays exact; rates under 2,000 per second are never leased (nothing to gain).
///
/// Confined to its worker's thread (held by `HitBurst` and `UDPRelay`): no lock.
public final class RateLeases: @unchecked Sendable {
    struct Lease {
        var slot = -1
        var key: UInt64 = 0
        var tokens: UInt64 = 0
        var interval: UInt64 = 0
        var takenAt: UInt64 = 0
    }

    static let lifetime: UInt64 = 1_000_000
    static let largest: UInt64 = 32
    var leases = [Lease](repeating: Lease(), count: 4)

    public init() {}

    /// How many tokens to take at once for `rate`.
    static func chunk(rate: Int) -> UInt64 { min(largest, max(1, UInt64(rate) / 1000)) }

    /// Spends one leased token of `key`, if a fresh lease has one.
    func spend(_ key: UInt64, now: UInt64) -> Bool {
        for index in leases.indices where leases[index].key == key {
            guard leases[index].tokens > 0, now &- leases[index].takenAt < Self.lifetime else { return false }
            leases[index].tokens -= 1
            return true
        }
        return false
    }
}
