import Atomics
import NIOConcurrencyHelpers

/// What the blocklists keep across configuration reloads: whether blocking is paused
/// (`policy.pause`, `policy.resume`) and each list's blocked-query count, by list name, so a
/// list that keeps its name keeps its count. Striped: the UDP workers count on every blocked
/// query.
public final class PolicyState: Sendable {
    /// Distinct list names counted; more share the last slot.
    static let listSlots = 256
    private let counters = StripedCounters(count: PolicyState.listSlots)
    private let names = NIOLockedValueBox<[String]>([])
    /// 0: not paused; `UInt64.max`: paused until resumed; else the monotonic clock reading
    /// at which blocking resumes.
    private let pausedUntil = ManagedAtomic<UInt64>(0)

    public init() {}

    /// The counter slot of the list named `name` (made on first use: at configuration time).
    func slot(for name: String) -> Int {
        names.withLockedValue { names in
            if let index = names.firstIndex(of: name) { return index }
            guard names.count < Self.listSlots - 1 else { return Self.listSlots - 1 }
            names.append(name)
            return names.count - 1
        }
    }

    func countBlocked(slot: Int) { counters.increment(slot) }

    /// Blocked queries since start, by list name.
    public var blockedByList: [String: UInt64] {
        let known = names.withLockedValue { $0 }
        var values: [String: UInt64] = [:]
        for (index, name) in known.enumerated() { values[name] = counters.sum(index) }
        return values
    }

    /// Pauses blocking for `seconds` (nil: until `resume`).
    public func pause(seconds: Int?, now: UInt64 = CacheStore.monotonicClock()) {
        pausedUntil.store(seconds.map { now + UInt64($0) * 1_000_000_000 } ?? .max, ordering: .relaxed)
    }

    public func resume() { pausedUntil.store(0, ordering: .relaxed) }

    /// Whether blocking is paused now; nil seconds left means until resumed.
    public func paused(now: UInt64 = CacheStore.monotonicClock()) -> (paused: Bool, secondsLeft: Int?) {
        let until = pausedUntil.load(ordering: .relaxed)
        if until == 0 { return (false, nil) }
        if until == .max { return (true, nil) }
        guard now < until else { return (false, nil) }
        return (true, Int((until - now + 999_999_999) / 1_000_000_000))
    }

    /// The hot-path form of `paused`: one relaxed load when not paused.
    func isPaused() -> Bool {
        let until = pausedUntil.load(ordering: .relaxed)
        return until != 0 && (until == .max || CacheStore.monotonicClock() < until)
    }
}
