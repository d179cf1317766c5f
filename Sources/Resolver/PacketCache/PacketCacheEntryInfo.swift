import DNSProto

/// What `cache.lookup` shows of one packet-cache entry: the answers the UDP relay filed live
/// only here, so an operator looking up a name must see them too.
public struct PacketCacheEntryInfo: Sendable {
    /// "NAME CLASS TYPE", as a cache entry's key reads.
    public var question: String
    /// The query flags the entry answers (it is kept per flag combination): `cd`, `ad`, `edns`,
    /// `do`, and the UDP size it fits (`udp=N`).
    public var flags: [String]
    public var rcode: Rcode
    /// Seconds until it expires.
    public var remainingTTL: Int64
    /// The seconds it was filed for.
    public var originalTTL: UInt32
    /// The records as they would be served now (TTLs counted down), one zone-file line each.
    public var records: [String]
    public var bytes: Int
    /// What validation found when it was filed (nil: not validated).
    public var dnssecStatus: DNSSECStatus?
}

extension PacketCache {
    /// The entries that may still be served for `name` (and `type`, when given) that came
    /// through `store`'s cache plugin or the relay in its block.
    public func lookup(name: DNSName, type: RecordType?, store: CacheStore) -> [PacketCacheEntryInfo] {
        let wire = name.lowercasedWire
        let now = clock()
        let current = generation
        var found: [PacketCacheEntry] = []
        for shard in shards {
            shard.withLockedValue { state in
                for entry in state.entries.values where entry.name.wire == wire && (type == nil || entry.type == type!)
                    && entry.store === store && entry.isServable(now: now, generation: current) {
                    found.append(entry)
                }
            }
        }
        return found.map { Self.info($0, now: now) }
    }

    private static func info(_ entry: PacketCacheEntry, now: UInt64) -> PacketCacheEntryInfo {
        let age = UInt32(clamping: (now &- entry.storedAt) / 1_000_000_000)
        let message = try? Message(wire: entry.wire)
        let records = message.map { $0.answers + $0.authorities + $0.additionals } ?? []
        var flags: [String] = []
        let headerFlags = UInt8(truncatingIfNeeded: entry.meta)
        if headerFlags & 0x10 != 0 { flags.append("cd") }
        if headerFlags & 0x20 != 0 { flags.append("ad") }
        if entry.meta & (1 << 16) != 0 { flags.append("edns") }
        if entry.meta & (1 << 17) != 0 { flags.append("do") }
        flags.append("udp=\(entry.meta >> 24)")
        return PacketCacheEntryInfo(
            question: Question(name: entry.name, type: entry.type, recordClass: RecordClass(rawValue: entry.recordClass)).description, flags: flags, rcode: entry.rcode,
            remainingTTL: Int64((entry.expiresAt &- now) / 1_000_000_000), originalTTL: UInt32(clamping: (entry.expiresAt &- entry.storedAt) / 1_000_000_000),
            records: records.map { record in
                var record = record
                record.ttl = record.ttl > age ? record.ttl - age : 0
                return record.description
            },
            bytes: entry.wire.count, dnssecStatus: entry.dnssec)
    }
}
