import Atomics
import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// The cache's entries, split into shards by question so that queries on different event
/// loops rarely meet on the same lock (no global lock convoy); each shard is bounded by its
/// share of the entry and byte caps and evicts with S3-FIFO (see `CacheShard`).
///
/// Locks are held only for dictionary and queue work, never across I/O or rendering.
public final class CacheStore: Sendable {
    private let shards: [NIOLockedValueBox<CacheShard>]
    private let mask: Int
    /// Moves on every removal (flushes, zone edits, `absorb` retiring the old store), so the
    /// packet cache, which copies answers out of this store, never serves one removed here.
    private let removals = ManagedAtomic<UInt64>(0)
    /// Nanoseconds on a monotonic clock; injectable so tests can move time.
    let clock: @Sendable () -> UInt64

    /// The default clock: NIO's monotonic uptime in nanoseconds.
    public static let monotonicClock: @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }

    /// `shards` 0 picks a power of two near 4 x cores, fewer when the caps are small (each
    /// shard should hold at least a few hundred entries, or its share of the caps is too coarse).
    public init(maxEntries: Int, maxBytes: Int, shards: Int = 0, clock: @escaping @Sendable () -> UInt64 = CacheStore.monotonicClock) {
        var count = shards > 0 ? shards : System.coreCount * 4
        var power = 1
        while power < count && power < 256 { power <<= 1 }
        count = power
        if shards <= 0 {
            while count > 1 && maxEntries / count < 256 { count >>= 1 }
        }
        let perEntries = max(1, maxEntries / count), perBytes = max(1, maxBytes / count)
        self.shards = (0..<count).map { _ in NIOLockedValueBox(CacheShard(maxEntries: perEntries, maxBytes: perBytes)) }
        mask = count - 1
        self.clock = clock
    }

    public var shardCount: Int { shards.count }

    /// See `removals`.
    public var generation: UInt64 { removals.load(ordering: .acquiring) }

    private func invalidatePackets() { removals.wrappingIncrement(ordering: .releasing) }

    /// The fresh answer for everyone under `base`, if any (no hit counted).
    func freshForEveryone(base: CacheKey, now: UInt64) -> CachedAnswer? {
        shard(for: base).withLockedValue { $0.freshForEveryone(base: base, now: now) }
    }

    private func shard(for base: CacheKey) -> NIOLockedValueBox<CacheShard> {
        shards[base.hashValue & mask]
    }

    func lookup(base: CacheKey, client: CacheClientAddress?, now: UInt64, staleWindow: UInt32, prefetchHits: Int) -> CacheShard.Lookup {
        shard(for: base).withLockedValue {
            $0.lookup(base: base, client: client, now: now, staleWindow: staleWindow, prefetchHits: prefetchHits)
        }
    }

    /// Stores `answer` under `base` at the answer's own subnet scope.
    func insert(base: CacheKey, _ answer: CachedAnswer) {
        var key = base
        key.subnet = answer.subnet
        shard(for: base).withLockedValue { $0.insert(key, answer) }
    }

    /// Bumps a counter kept outside lookups (stale served, prefetches, coalesced queries).
    func count(_ counter: WritableKeyPath<CacheStatistics, UInt64>, for base: CacheKey) {
        shard(for: base).withLockedValue { $0.statistics[keyPath: counter] += 1 }
    }

    // MARK: control plane

    /// Counters and sizes summed over the shards.
    public var statistics: CacheStatistics {
        var total = CacheStatistics()
        for shard in shards { total.add(shard.withLockedValue { $0.snapshot }) }
        return total
    }

    /// Empties the cache; returns how many entries were removed.
    @discardableResult
    public func flush() -> Int {
        // Before and after: a query that read the generation while the removal ran must not
        // file what it saw.
        invalidatePackets()
        defer { invalidatePackets() }
        return shards.reduce(0) { sum, shard in sum + shard.withLockedValue { $0.removeAll() } }
    }

    /// Removes every entry for `name` (all types, flags and subnets).
    @discardableResult
    public func flush(name: DNSName) -> Int {
        let wire = name.lowercasedWire
        return remove { $0.name == wire }
    }

    /// Removes the entries for `name` and `type`.
    @discardableResult
    public func flush(name: DNSName, type: RecordType) -> Int {
        let wire = name.lowercasedWire
        return remove { $0.name == wire && $0.type == type.rawValue }
    }

    /// Removes `name` and every name below it.
    @discardableResult
    public func flush(subtree: DNSName) -> Int {
        remove { $0.domainName.isSubdomain(of: subtree) }
    }

    private func remove(where matches: @escaping (CacheKey) -> Bool) -> Int {
        invalidatePackets()
        defer { invalidatePackets() }
        return shards.reduce(0) { sum, shard in sum + shard.withLockedValue { $0.removeAll(where: matches) } }
    }

    /// The entries for `name` (and `type`, if given), with their remaining TTLs.
    public func lookup(name: DNSName, type: RecordType? = nil) -> [CacheEntryInfo] {
        let wire = name.lowercasedWire
        return entries(limit: Int.max) { $0.name == wire && (type == nil || $0.type == type!.rawValue) }
    }

    /// Up to `limit` entries, in no particular order.
    public func dump(limit: Int) -> [CacheEntryInfo] {
        entries(limit: limit) { _ in true }
    }

    private func entries(limit: Int, where matches: (CacheKey) -> Bool) -> [CacheEntryInfo] {
        let now = clock()
        var result: [CacheEntryInfo] = []
        for shard in shards where result.count < limit {
            let found: [(CacheKey, CachedAnswer)] = shard.withLockedValue { state in
                var found: [(CacheKey, CachedAnswer)] = []
                for (key, node) in state.nodes where found.count < limit - result.count && matches(key) {
                    found.append((key, node.answer))
                }
                return found
            }
            result += found.map { CacheEntryInfo(key: $0.0, answer: $0.1, now: now) }
        }
        return result
    }

    /// Copies every entry of `other` into this store (used when `config.reload` replaces the
    /// cache plugin: the answers survive, under the new caps). Entries keep their storage
    /// time, so their TTLs go on counting down.
    public func absorb(_ other: CacheStore) {
        guard other !== self else { return }
        other.invalidatePackets()
        for shard in other.shards {
            let all = shard.withLockedValue { state in state.nodes.map { ($0.key, $0.value.answer) } }
            for (key, answer) in all {
                self.shard(for: key.base).withLockedValue { $0.insert(key, answer) }
            }
        }
    }
}

/// One entry as the control plane shows it (`cache.lookup`, `cache.dump`).
public struct CacheEntryInfo: Sendable {
    public var key: CacheKey
    public var kind: CachedAnswer.Kind
    public var rcode: Rcode
    /// Seconds of freshness left; negative when stale (expired that long ago).
    public var remainingTTL: Int64
    /// The TTL the entry was stored with.
    public var originalTTL: UInt32
    /// The records as they would be served now (TTLs counted down), one zone-file line each.
    public var records: [String]
    public var bytes: Int
    /// What validation found (nil: not validated) and, when bogus, why (the extended error's text).
    public var dnssecStatus: DNSSECStatus?
    public var dnssecReason: String?

    init(key: CacheKey, answer: CachedAnswer, now: UInt64) {
        self.key = key
        kind = answer.kind
        rcode = answer.rcode
        remainingTTL = answer.remainingTTL(at: now)
        originalTTL = answer.ttl
        let age = answer.age(at: now)
        let message = answer.message
        records = (message.answers + message.authorities + message.additionals).map { record in
            var record = record
            record.ttl = record.ttl > age ? record.ttl - age : 0
            return record.description
        }
        bytes = answer.size
        dnssecStatus = answer.dnssecStatus
        dnssecReason = answer.dnssecStatus == .bogus ? answer.extendedErrors.extendedErrorText : nil
    }
}
