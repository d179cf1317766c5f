import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// The recursor's own memory of the DNS tree: zone cuts (a zone's NS names, learnt from
/// referrals) and name server addresses (in-bailiwick glue and the answers of NS address
/// lookups). Final answers are not kept here: a `cache` plugin in front of `recurse` holds
/// them, and `cache.flush` empties this cache too.
///
/// Only records that passed the bailiwick checks of `ResponseClassifier` get here, so a
/// server can teach us about its own zone and below, never about a sibling or parent
/// (cache-poisoning defence). Bounded by `maxEntries`: when full, expired entries go first,
/// then arbitrary ones (dictionary order) down to 90%, which is enough for data that is cheap
/// to re-learn.
/// One lock, held only for dictionary work.
public final class InfrastructureCache: Sendable {
    /// A zone cut: the zone and the names of its servers.
    public struct Delegation: Sendable, Equatable {
        public var zone: DNSName
        public var nameServers: [DNSName]
    }

    private struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var expires: UInt64
    }

    private struct State: Sendable {
        var delegations: [DNSName: Entry<[DNSName]>] = [:]
        var addresses: [DNSName: Entry<[String]>] = [:]
        var hits: UInt64 = 0
        var misses: UInt64 = 0
        var insertions: UInt64 = 0
        var evictions: UInt64 = 0
        var count: Int { delegations.count + addresses.count }
    }

    public let maxEntries: Int
    /// Cached TTLs are capped at this many seconds.
    public let maxTTL: UInt32
    private let state = NIOLockedValueBox(State())
    let clock: @Sendable () -> UInt64

    public init(maxEntries: Int, maxTTL: UInt32 = 86_400,
                clock: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.maxEntries = max(1, maxEntries)
        self.maxTTL = maxTTL
        self.clock = clock
    }

    private func expiry(_ ttl: UInt32, now: UInt64) -> UInt64 {
        now + UInt64(min(ttl, maxTTL)) * 1_000_000_000
    }

    /// The deepest cached zone cut at or above `name` (nil when only the root hints apply).
    public func closestDelegation(for name: DNSName) -> Delegation? {
        let now = clock()
        return state.withLockedValue { state in
            var current: DNSName? = name
            while let candidate = current, !candidate.isRoot {
                if let entry = state.delegations[candidate], entry.expires > now {
                    state.hits += 1
                    return Delegation(zone: candidate, nameServers: entry.value)
                }
                current = candidate.parent
            }
            state.misses += 1
            return nil
        }
    }

    public func storeDelegation(_ delegation: Delegation, ttl: UInt32) {
        guard !delegation.zone.isRoot, !delegation.nameServers.isEmpty, ttl > 0 else { return }
        let now = clock()
        state.withLockedValue { state in
            state.delegations[delegation.zone] = Entry(value: delegation.nameServers, expires: expiry(ttl, now: now))
            state.insertions += 1
            evictIfNeeded(&state, now: now)
        }
    }

    /// The cached addresses of a name server; nil when unknown or expired.
    public func addresses(of name: DNSName) -> [String]? {
        let now = clock()
        return state.withLockedValue { state in
            guard let entry = state.addresses[name], entry.expires > now else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return entry.value
        }
    }

    /// Adds `addresses` to those known for `name` (A and AAAA arrive separately).
    public func storeAddresses(_ addresses: [String], of name: DNSName, ttl: UInt32) {
        guard !addresses.isEmpty, ttl > 0 else { return }
        let now = clock()
        state.withLockedValue { state in
            var merged = addresses
            if let old = state.addresses[name], old.expires > now {
                merged = old.value + addresses.filter { !old.value.contains($0) }
            }
            state.addresses[name] = Entry(value: merged, expires: expiry(ttl, now: now))
            state.insertions += 1
            evictIfNeeded(&state, now: now)
        }
    }

    /// Over `maxEntries`: drops the expired entries, then arbitrary ones down to 90% of
    /// `maxEntries`, so that the pass over both dictionaries is paid once per tenth of the
    /// cache's insertions rather than on every one. A zone cut that loses its glue this way
    /// is re-learnt from its parent (`RecursiveIterator.closestCut`).
    private func evictIfNeeded(_ state: inout State, now: UInt64) {
        guard state.count > maxEntries else { return }
        let before = state.count
        state.delegations = state.delegations.filter { $0.value.expires > now }
        state.addresses = state.addresses.filter { $0.value.expires > now }
        let target = maxEntries - maxEntries / 10
        if state.count > target {
            // Each dictionary gives up its share of the excess.
            let excess = state.count - target
            let fromAddresses = excess * state.addresses.count / state.count
            for key in Array(state.addresses.keys.prefix(fromAddresses)) { state.addresses[key] = nil }
            for key in Array(state.delegations.keys.prefix(state.count - target)) { state.delegations[key] = nil }
        }
        state.evictions += UInt64(before - state.count)
    }

    // MARK: control plane

    /// Empties the cache; returns how many entries were removed.
    @discardableResult
    public func flush() -> Int {
        state.withLockedValue { state in
            defer { state.delegations = [:]; state.addresses = [:] }
            return state.count
        }
    }

    /// Removes the entries for `name`, or for `name` and everything below it.
    @discardableResult
    public func flush(name: DNSName, subtree: Bool) -> Int {
        state.withLockedValue { state in
            let before = state.count
            func matches(_ key: DNSName) -> Bool { subtree ? key.isSubdomain(of: name) : key == name }
            state.delegations = state.delegations.filter { !matches($0.key) }
            state.addresses = state.addresses.filter { !matches($0.key) }
            return before - state.count
        }
    }

    /// Sizes and counters for `cache.stats`.
    public var statistics: InfrastructureCacheStatistics {
        state.withLockedValue { state in
            InfrastructureCacheStatistics(delegations: state.delegations.count, addresses: state.addresses.count,
                                          hits: state.hits, misses: state.misses, insertions: state.insertions,
                                          evictions: state.evictions)
        }
    }
}

/// What the infrastructure cache holds and has done (`cache.stats`).
public struct InfrastructureCacheStatistics: Sendable, Equatable {
    public var delegations: Int
    public var addresses: Int
    public var hits: UInt64
    public var misses: UInt64
    public var insertions: UInt64
    public var evictions: UInt64
    public var entries: Int { delegations + addresses }
}
