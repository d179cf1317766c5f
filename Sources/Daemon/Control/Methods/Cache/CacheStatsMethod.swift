import ControlProto

/// `cache.stats`: each cache's counters (one entry per server block with a cache).
struct CacheStatsMethod: ControlMethod {
    let name = "cache.stats"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(try CacheTarget.caches(context).map { block, cache in
            let stats = cache.statistics
            let lookups = stats.hits + stats.misses
            return .object([
                "block": .string(block), "entries": .int(stats.entries), "bytes": .int(stats.bytes),
                "hits": .int(Int(stats.hits)), "misses": .int(Int(stats.misses)),
                "hit_ratio": .double(lookups == 0 ? 0 : (Double(stats.hits) / Double(lookups) * 1000).rounded() / 1000),
                "evictions": .int(Int(stats.evictions)), "expired": .int(Int(stats.expired)),
                "insertions": .int(Int(stats.insertions)), "stale_served": .int(Int(stats.staleServed)),
                "prefetches": .int(Int(stats.prefetches)), "coalesced": .int(Int(stats.coalesced)),
            ])
        })
    }
}
