import Atomics

/// The `limits:` settings: how much one client may ask (Unbound's `ip-ratelimit` and
/// `wait-limit`).
public struct ClientLimitSettings: Sendable, Equatable {
    /// What a query over a limit gets.
    public enum Action: String, Sendable { case drop, refuse }

    /// Queries per second per client address; 0 = unlimited.
    public var queriesPerSecond = 0
    /// Queries of one client address waiting for an upstream or a recursion at once; 0 = unlimited.
    public var waitingPerClient = 1000
    /// The same for a query with a valid server cookie (its address is proved: Unbound's
    /// `wait-limit-cookie`).
    public var waitingPerCookieClient = 10000
    public var action: Action = .drop
    public var exempt: [AccessRule.Clients] = [.loopback]
    /// Accounts of the per-second table and counters of the waiting table.
    public var tableSize = 65536

    public init() {}
}

/// The limits of one configuration generation. The waiting counts are a fixed array of atomic
/// counters indexed by a hash of the client's address: two clients that share a counter share
/// a limit, which errs on the side of limiting and keeps the memory fixed.
final class ClientLimits: @unchecked Sendable {
    let settings: ClientLimitSettings
    private let perSecond: RateLimitTable?
    private let waiting: UnsafeMutablePointer<UnsafeAtomic<Int32>.Storage>
    private let waitingCount: Int

    init(settings: ClientLimitSettings) {
        self.settings = settings
        perSecond = settings.queriesPerSecond > 0 ? RateLimitTable(size: settings.tableSize) : nil
        waitingCount = max(64, settings.tableSize)
        waiting = UnsafeMutablePointer<UnsafeAtomic<Int32>.Storage>.allocate(capacity: waitingCount)
        waiting.initialize(repeating: UnsafeAtomic<Int32>.Storage(0), count: waitingCount)
    }

    deinit {
        waiting.deinitialize(count: waitingCount)
        waiting.deallocate()
    }

    func isExempt(_ client: ClientAddress) -> Bool { settings.exempt.contains { $0.contains(client) } }

    /// Counts a query of `client` against its per-second limit: false when it is over.
    func allowQuery(from client: ClientAddress, now: UInt64) -> Bool {
        guard let perSecond else { return true }
        let prefix = IPPrefix(client, length: 128)
        return perSecond.count(prefix, kind: 0, rate: settings.queriesPerSecond, window: 1_000_000_000, now: now) == .within
    }

    /// Takes a waiting slot for `client`, which may hold `limit`: false (and nothing taken)
    /// when it has all of them. Each true must be paired with one `leave`.
    func enter(_ client: ClientAddress, limit: Int) -> Bool {
        let counter = UnsafeAtomic<Int32>(at: waiting + slot(client))
        let now = counter.wrappingIncrementThenLoad(ordering: .relaxed)
        guard now > Int32(clamping: limit) else { return true }
        counter.wrappingDecrement(ordering: .relaxed)
        return false
    }

    func leave(_ client: ClientAddress) {
        UnsafeAtomic<Int32>(at: waiting + slot(client)).wrappingDecrement(ordering: .relaxed)
    }

    /// Queries of `client` waiting now (for tests and `rrl.list`-style views).
    func waitingCount(of client: ClientAddress) -> Int {
        Int(UnsafeAtomic<Int32>(at: waiting + slot(client)).load(ordering: .relaxed))
    }

    private func slot(_ client: ClientAddress) -> Int {
        Int(truncatingIfNeeded: IPPrefix(client, length: 128).hashKey % UInt64(waitingCount))
    }
}
