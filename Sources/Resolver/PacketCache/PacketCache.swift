import Atomics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// The fast path in front of the pipeline (DESIGN.md "The query path", step 2): answers a
/// repeated question by copying the wire answer sent last time, patching the ID, the question's
/// case and the TTLs, without parsing the query into a `Message` or running a plugin.
///
/// What it holds is exactly what a `cache` plugin would serve, never more: an answer is kept
/// only when it came from a server block's cache plugin (source `.cache` or `.upstream` with a
/// `cache` in the block), only while that plugin's entry is fresh (the packet TTL is bounded by
/// the entry's remaining TTL, and ends where prefetch would start), and it dies with every
/// invalidation that reaches the plugin: `CacheStore.generation` moves on every flush (control
/// `cache.flush`, zone edits, `config.reload` absorbing the old store) and `generation` here
/// moves when the pipeline is replaced. Queries with ECS, other EDNS options than COOKIE, or
/// anything unusual take the full path; so does an answer bigger than the client's UDP size.
///
/// Sharded by hash with a short lock per lookup (a dictionary probe and a reference copy);
/// FIFO eviction at `maxEntries`.
public final class PacketCache: Sendable {
    struct Shard: Sendable {
        var entries: [UInt64: PacketCacheEntry] = [:]
        var order = [UInt64]()
        var head = 0
    }

    let shards: [NIOLockedValueBox<Shard>]
    private let perShard: Int
    let clock: @Sendable () -> UInt64
    private let currentGeneration = ManagedAtomic<UInt64>(0)
    /// Striped: every worker counts every hit, and one shared line would bounce between cores.
    private let hitCount = StripedCounters(count: 1)

    public static let defaultMaxEntries = 65536

    /// Room for what `pipeline` may file: at least `defaultMaxEntries`, and as many as the
    /// largest `cache` whose block the UDP relay serves, since the packet cache is the only
    /// place the relay keeps its answers (RelayRoute.swift).
    public static func capacity(for pipeline: Pipeline) -> Int {
        guard UDPRelay.enabledByEnvironment else { return defaultMaxEntries }
        return max(defaultMaxEntries, pipeline.relayRoutes.largestCache)
    }

    /// `DNSD_PACKET_CACHE=off` in the environment turns the fast path off (for benchmarks that
    /// measure the full path, and to rule the packet cache out when chasing a bug).
    public static let enabledByEnvironment: Bool = {
        guard let value = getenv("DNSD_PACKET_CACHE") else { return true }
        return String(cString: value) != "off"
    }()

    public init(maxEntries: Int = PacketCache.defaultMaxEntries, clock: @escaping @Sendable () -> UInt64 = CacheStore.monotonicClock) {
        let count = 16
        shards = (0..<count).map { _ in NIOLockedValueBox(Shard()) }
        perShard = max(1, maxEntries / count)
        self.clock = clock
    }

    /// Bumped by `invalidateAll`; entries made before are never served.
    public var generation: UInt64 { currentGeneration.load(ordering: .relaxed) }

    /// Forgets everything (the pipeline was replaced).
    public func invalidateAll() {
        currentGeneration.wrappingIncrement(ordering: .relaxed)
        for shard in shards { shard.withLockedValue { $0 = Shard() } }
    }

    /// Answers served from here since start.
    public var hits: UInt64 { hitCount.sum(0) }

    public var count: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.entries.count } } }

    private func shard(_ hash: UInt64) -> NIOLockedValueBox<Shard> { shards[Int(truncatingIfNeeded: hash >> 60)] }

    /// The entry for `query` if one may be served now.
    func lookup(_ query: PacketQuery, bytes: UnsafeRawBufferPointer, now: UInt64) -> PacketCacheEntry? {
        guard case .fresh(let entry) = find(query, bytes: bytes, now: now) else { return nil }
        return entry
    }

    /// An entry for `query`, as the UDP workers may use it.
    enum Found {
        /// Servable now (a hit, counted).
        case fresh(PacketCacheEntry)
        /// Expired but within its serve-stale window: for when the upstream fails or is slow,
        /// or at once when its cache is optimistic (not counted as a hit here).
        case stale(PacketCacheEntry)
    }

    /// The entry for `query`, fresh or stale, or nil.
    func find(_ query: PacketQuery, bytes: UnsafeRawBufferPointer, now: UInt64) -> Found? {
        guard let entry = shard(query.hash).withLockedValue({ $0.entries[query.hash] }) else { return nil }
        guard entry.meta == query.meta, entry.wire.count <= query.limit,
              query.matches(name: entry.name.wire, type: entry.type.rawValue, recordClass: entry.recordClass, in: bytes) else { return nil }
        let current = generation
        if entry.isServable(now: now, generation: current) {
            hitCount.increment(0)
            return .fresh(entry)
        }
        return entry.isStale(now: now, generation: current) ? .stale(entry) : nil
    }

    /// Counts a stale answer served from here as a hit.
    func countStaleHit() { hitCount.increment(0) }

    /// Writes `entry`'s answer to `query` into `out` (exactly `entry.wire.count` bytes, already
    /// holding a copy of `entry.wire`): the query's ID and question case, TTLs less the age.
    static func patch(_ out: UnsafeMutableRawBufferPointer, entry: PacketCacheEntry, query: PacketQuery,
                      bytes: UnsafeRawBufferPointer, now: UInt64) {
        out[0] = bytes[0]
        out[1] = bytes[1]
        // RFC 1035 §7.3 / 0x20 clients: the question goes back as it was asked.
        for index in 12..<query.nameEnd { out[index] = bytes[index] }
        let age = UInt32(clamping: (now &- entry.storedAt) / 1_000_000_000)
        guard age > 0 else { return }
        for offset in entry.ttlOffsets {
            let at = Int(offset)
            var ttl = UInt32(out[at]) << 24 | UInt32(out[at + 1]) << 16 | UInt32(out[at + 2]) << 8 | UInt32(out[at + 3])
            ttl = ttl > age ? ttl - age : 0
            out[at] = UInt8(truncatingIfNeeded: ttl >> 24)
            out[at + 1] = UInt8(truncatingIfNeeded: ttl >> 16)
            out[at + 2] = UInt8(truncatingIfNeeded: ttl >> 8)
            out[at + 3] = UInt8(truncatingIfNeeded: ttl)
        }
    }

    /// Keeps `entry` (replacing any entry with the same hash), evicting the oldest when full.
    func insert(_ entry: PacketCacheEntry, hash: UInt64) {
        shard(hash).withLockedValue { shard in
            if shard.entries.updateValue(entry, forKey: hash) == nil {
                shard.order.append(hash)
            }
            while shard.entries.count > perShard, shard.head < shard.order.count {
                shard.entries.removeValue(forKey: shard.order[shard.head])
                shard.head += 1
            }
            // The FIFO keeps hashes of removed entries too; compact once they dominate.
            if shard.head > 1024 && shard.head * 2 > shard.order.count {
                shard.order.removeFirst(shard.head)
                shard.head = 0
            }
            if shard.order.count > 4 * perShard + 1024 {
                shard.order = shard.order.filter { shard.entries[$0] != nil }
                shard.head = 0
            }
        }
    }
}
