/// What the cache has done, summed over its shards: the `cache.stats` control method's answer.
public struct CacheStatistics: Sendable, Equatable {
    /// Entries held now, stale ones included.
    public var entries = 0
    /// Bytes held now (encoded answers plus per-entry overhead).
    public var bytes = 0
    /// Lookups answered from a fresh entry.
    public var hits: UInt64 = 0
    /// Lookups that found nothing fresh (stale entries served optimistically count as stale, not miss).
    public var misses: UInt64 = 0
    /// Entries pushed out by the entry or byte cap.
    public var evictions: UInt64 = 0
    /// Entries dropped because they were past their TTL and the serve-stale window.
    public var expired: UInt64 = 0
    /// Answers stored (new entries and refreshes).
    public var insertions: UInt64 = 0
    /// Stale answers served (RFC 8767), optimistic ones included.
    public var staleServed: UInt64 = 0
    /// Background refreshes started before expiry (prefetch) or after (optimistic mode).
    public var prefetches: UInt64 = 0
    /// Queries that waited for an identical query already on its way downstream.
    public var coalesced: UInt64 = 0

    public init() {}

    mutating func add(_ other: CacheStatistics) {
        entries += other.entries
        bytes += other.bytes
        hits += other.hits
        misses += other.misses
        evictions += other.evictions
        expired += other.expired
        insertions += other.insertions
        staleServed += other.staleServed
        prefetches += other.prefetches
        coalesced += other.coalesced
    }
}
