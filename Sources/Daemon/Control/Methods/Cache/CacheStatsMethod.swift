import ControlProto
import Resolver

/// `cache.stats`: each cache's counters (one entry per server block with a cache), one
/// `"kind": "infrastructure"` entry per `recurse` plugin, and one `"kind": "packet"` entry for
/// the packet cache in front of them (its hits never reach a cache plugin's counters).
struct CacheStatsMethod: ControlMethod {
    let name = "cache.stats"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let recursors = context.runtime.plugins(of: RecursePlugin.self)
        let caches = recursors.isEmpty ? try CacheTarget.caches(context) : (try? CacheTarget.caches(context)) ?? []
        let packetCache = context.runtime.pipeline.packetCache
        let packet: [JSONValue] = caches.isEmpty ? [] : [.object([
            "block": .string("*"), "kind": .string("packet"), "entries": .int(packetCache.count), "hits": .int(Int(packetCache.hits)),
        ])]
        return .array(caches.map { block, cache in
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
        } + recursors.map { block, recursor in
            // The recursor's infrastructure cache (zone cuts and server addresses) and counters.
            let stats = recursor.statistics
            return .object([
                "block": .string(block.zones.map(\.description).joined(separator: " ")), "kind": .string("infrastructure"),
                "entries": .int(stats.infrastructure.entries), "delegations": .int(stats.infrastructure.delegations),
                "addresses": .int(stats.infrastructure.addresses), "hits": .int(Int(stats.infrastructure.hits)),
                "misses": .int(Int(stats.infrastructure.misses)), "insertions": .int(Int(stats.infrastructure.insertions)),
                "evictions": .int(Int(stats.infrastructure.evictions)), "client_queries": .int(stats.clientQueries),
                "upstream_queries": .int(stats.upstreamQueries), "failures": .int(stats.failures),
                "limit_failures": .int(stats.limitFailures), "tcp_retries": .int(stats.tcpRetries),
                "edns_fallbacks": .int(stats.ednsFallbacks),
            ])
        } + packet)
    }
}
