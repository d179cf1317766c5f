/// The `limits:` settings: how much one client may ask (Unbound's `ip-ratelimit` and
/// `wait-limit`).
public struct ClientLimitSettings: Sendable, Equatable {
    /// What a query over a limit gets.
    public enum Action: String, Sendable, CaseIterable { case drop, refuse }

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

/// The limits of one configuration generation. The waiting counts are a `ClientCounterTable`:
/// two clients that share a counter share a limit, which keeps the memory fixed.
final class ClientLimits: Sendable {
    let settings: ClientLimitSettings
    private let perSecond: RateLimitTable?
    private let waiting: ClientCounterTable

    init(settings: ClientLimitSettings) {
        self.settings = settings
        perSecond = settings.queriesPerSecond > 0 ? RateLimitTable(size: settings.tableSize) : nil
        waiting = ClientCounterTable(size: settings.tableSize)
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
    func enter(_ client: ClientAddress, limit: Int) -> Bool { waiting.enter(client, limit: limit) }

    func leave(_ client: ClientAddress) { waiting.leave(client) }
}
