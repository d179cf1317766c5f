/// What a packet-cache entry's cache does around its expiry (the `cache` settings the UDP
/// relay keeps in the packet-cache tier): serve-stale window, optimistic answers, prefetch.
/// Entries the full path files use `plain`: they end where the `cache` plugin takes over.
struct PacketCacheExpiry: Sendable {
    var staleSeconds: UInt32 = 0
    /// The TTL of a stale answer (`stale_ttl`).
    var staleTTL: UInt32 = 30
    var optimistic = false
    var prefetchHits: UInt8 = 0

    static let plain = PacketCacheExpiry()

    /// The expiry rules of an answer kept for `settings`' cache.
    init(settings: CacheSettings) {
        staleSeconds = settings.serveStale
        staleTTL = settings.staleTTL
        optimistic = settings.optimistic && settings.serveStale > 0
        prefetchHits = settings.prefetch ? UInt8(clamping: min(127, max(1, settings.prefetchHits))) : 0
    }

    init() {}
}
