import NIOCore

/// The cache plugin's tunables, as the `cache:` YAML block sets them (see docs/plugins/cache.md).
public struct CacheSettings: Sendable, Equatable {
    /// Most entries held (all shards together).
    public var maxEntries: Int = 100_000
    /// Most bytes held: encoded answer sizes plus a fixed per-entry overhead.
    public var maxBytes: Int = 64 << 20
    /// TTLs below this are raised to it (seconds). Negative answers are not raised.
    public var minTTL: UInt32 = 0
    /// TTLs above this are lowered to it (seconds).
    public var maxTTL: UInt32 = 86_400
    /// Cap on how long NXDOMAIN/NODATA are kept (RFC 2308 §5; seconds).
    public var negativeTTL: UInt32 = 3_600
    /// How long SERVFAIL is kept; 0 = never (RFC 2308 §7 allows at most 5 minutes).
    public var servfailTTL: UInt32 = 0
    /// How long past expiry an answer may still be served stale (RFC 8767); 0 = off.
    public var serveStale: UInt32 = 86_400
    /// The TTL of stale answers (RFC 8767 §4 recommends 30 seconds).
    public var staleTTL: UInt32 = 30
    /// A pending downstream answer slower than this is replaced by the stale one, if any
    /// (RFC 8767 §5 "client response timer", 1.8 s).
    public var staleTimeout: TimeAmount = .milliseconds(1800)
    /// Answer expired entries (within `serveStale`) at once and refresh them in the background.
    public var optimistic: Bool = false
    /// Refresh popular entries before they expire.
    public var prefetch: Bool = true
    /// How many times an entry must have been asked for before it is prefetched.
    public var prefetchHits: Int = 3
    /// Queries that may wait for one question already on its way downstream (coalescing);
    /// past this they get SERVFAIL naming `cache.max_followers` (PluginLimit.swift).
    public var maxFollowers: Int = 1000
    /// Shards of the store; 0 picks from the core count and `maxEntries`.
    public var shards: Int = 0

    public init() {}
}
