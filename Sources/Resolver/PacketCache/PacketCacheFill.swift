import DNSProto

/// What a query on the full path needs to file its answer in the packet cache afterwards:
/// its raw question, and the generations of the pipeline and of the block's cache store as
/// they were before the pipeline ran (an invalidation during the query voids the entry).
struct PacketCacheFill: Sendable {
    let query: PacketQuery
    let key: [UInt8]
    let cache: PacketCache
    let generation: UInt64
    let plugin: CachePlugin
    let storeGeneration: UInt64

    /// Files `wire` (the encoded answer to `message`'s query, served by the block's cache
    /// plugin) when that plugin holds a fresh answer for everyone to this question; the entry
    /// lives no longer than that answer, and with prefetch on it ends where prefetch would
    /// begin (so the plugin still sees the queries that trigger it).
    func file(_ wire: [UInt8], source: AnswerSource, query message: Message, rcode: Rcode) {
        // Only the cache plugin's own rendering: an upstream's answer as relayed still has its
        // AA bit and unclamped TTLs (min_ttl/max_ttl), which the plugin would not serve.
        guard source == .cache, rcode == .noError || rcode == .nxDomain, wire.count > 12, wire[2] & 0x02 == 0, wire.count <= query.limit,
              let question = message.question, let base = CacheKey(query: message) else { return }
        let matches = wire.withUnsafeBytes { bytes in
            bytes.count >= query.nameEnd + 4 && query.matches(key, in: bytes)
        }
        guard matches, let fields = PacketCacheEntry.ttlFields(of: wire) else { return }
        let now = cache.clock()
        guard let answer = plugin.store.freshForEveryone(base: base, now: now) else { return }
        var ttl = min(answer.remainingTTL(at: now), Int64(fields.minimum))
        if plugin.settings.prefetch { ttl = min(ttl, answer.remainingTTL(at: now) - Int64(answer.ttl / 10)) }
        guard ttl > 0 else { return }
        let entry = PacketCacheEntry(
            key: key, meta: query.meta, wire: wire, ttlOffsets: fields.offsets, storedAt: now,
            expiresAt: now + UInt64(ttl) * 1_000_000_000, store: plugin.store, storeGeneration: storeGeneration,
            generation: generation, name: question.name, type: question.type, rcode: rcode)
        cache.insert(entry, hash: query.hash)
    }
}
