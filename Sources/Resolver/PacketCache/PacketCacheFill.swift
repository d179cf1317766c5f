import DNSProto

/// What a query on the full path needs to file its answer in the packet cache afterwards:
/// its raw question, and the generations of the pipeline and of the block's cache store as
/// they were before the pipeline ran (an invalidation during the query voids the entry).
struct PacketCacheFill: Sendable {
    let query: PacketQuery
    let cache: PacketCache
    let generation: UInt64
    let plugin: CachePlugin
    let storeGeneration: UInt64

    /// Files `wire` (the encoded answer to `message`'s query) when the block's cache plugin
    /// holds a fresh answer for everyone to this question; the entry lives no longer than that
    /// answer, and with prefetch on it ends where prefetch would begin (so the plugin still sees
    /// the queries that trigger it).
    ///
    /// Both the plugin's own rendering (source `cache`) and the upstream answer it has just
    /// stored (source `upstream`) are filed, so the second query for a name is already a packet
    /// hit. A relayed answer is made into what the plugin would serve first: AA cleared (a cache
    /// is no authority), AD cleared unless the query asked for it (RFC 6840 §5.8; the query's
    /// AD and DO bits are part of the key), and no TTL above what the plugin has left, so a
    /// `max_ttl` clamp holds. (A `min_ttl` raise is not applied: the copy serves the upstream's
    /// lower TTLs and expires with the smallest of them.)
    func file(_ wire: [UInt8], source: AnswerSource, query message: Message, rcode: Rcode, dnssec: DNSSECStatus?) {
        let relayed: Bool
        switch source {
        case .cache: relayed = false
        case .upstream: relayed = true
        default: return
        }
        guard rcode == .noError || rcode == .nxDomain, wire.count > 12, wire[2] & 0x02 == 0, wire.count <= query.limit,
              let question = message.question, let base = CacheKey(query: message) else { return }
        let name = question.name.lowercased
        guard wire.withUnsafeBytes({ query.isAnswered(by: name.wire, in: $0) }), let fields = PacketCacheEntry.ttlFields(of: wire) else { return }
        let now = cache.clock()
        guard let answer = plugin.store.freshForEveryone(base: base, now: now) else { return }
        let remaining = answer.remainingTTL(at: now)
        var ttl = min(remaining, Int64(fields.minimum))
        if plugin.settings.prefetch { ttl = min(ttl, remaining - Int64(answer.ttl / 10)) }
        guard ttl > 0 else { return }
        var stored = wire
        if relayed {
            stored[2] &= ~0x04
            let askedForAD = message.header.authenticData || (message.edns?.dnssecOK ?? false)
            if !askedForAD { stored[3] &= ~0x20 }
            Self.capTTLs(&stored, at: fields.offsets, to: UInt32(clamping: remaining))
        }
        let entry = PacketCacheEntry(
            name: name, type: question.type, recordClass: query.recordClass, meta: query.meta, wire: stored, ttlOffsets: fields.offsets, optStart: fields.optStart, storedAt: now,
            expiresAt: now + UInt64(ttl) * 1_000_000_000, store: plugin.store, storeGeneration: storeGeneration,
            generation: generation, rcode: rcode, dnssec: dnssec)
        cache.insert(entry, hash: query.hash)
    }

    /// Lowers every TTL field above `limit` to it.
    static func capTTLs(_ wire: inout [UInt8], at offsets: TTLOffsets, to limit: UInt32) {
        for offset in offsets {
            let at = Int(offset)
            let ttl = UInt32(wire[at]) << 24 | UInt32(wire[at + 1]) << 16 | UInt32(wire[at + 2]) << 8 | UInt32(wire[at + 3])
            guard ttl > limit else { continue }
            wire[at] = UInt8(truncatingIfNeeded: limit >> 24)
            wire[at + 1] = UInt8(truncatingIfNeeded: limit >> 16)
            wire[at + 2] = UInt8(truncatingIfNeeded: limit >> 8)
            wire[at + 3] = UInt8(truncatingIfNeeded: limit)
        }
    }
}
