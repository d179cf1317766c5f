import DNSProto

/// One answer in wire form as the packet cache keeps it: the encoded response, where its TTLs
/// are, and what must still hold for it to be served (its cache store not flushed since, the
/// pipeline not replaced since, not expired). Immutable; shared by reference.
final class PacketCacheEntry: Sendable {
    /// The question, lower-cased: the key a query is matched against, and the name its query
    /// event shows (one array for both keeps an entry small).
    let name: DNSName
    let type: RecordType
    let recordClass: UInt16
    /// For the query event of a hit. (Next to the other small fields: alone at the end it
    /// pushed the object into the next malloc size class.)
    let rcode: Rcode
    let meta: UInt64
    /// The response as first sent; its ID and question case are patched per hit.
    let wire: [UInt8]
    /// Offsets of every record's TTL field (OPT excluded); the stored values are the TTLs at `storedAt`.
    let ttlOffsets: TTLOffsets
    let storedAt: UInt64
    let expiresAt: UInt64
    /// The cache plugin's store the answer came through, and its generation when the query began.
    let store: CacheStore
    let storeGeneration: UInt64
    /// `PacketCache.generation` when the query began (bumped when the pipeline is replaced).
    let generation: UInt64

    init(name: DNSName, type: RecordType, recordClass: UInt16, meta: UInt64, wire: [UInt8], ttlOffsets: [UInt16], storedAt: UInt64, expiresAt: UInt64,
         store: CacheStore, storeGeneration: UInt64, generation: UInt64, rcode: Rcode) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.meta = meta
        self.wire = wire
        self.ttlOffsets = TTLOffsets(ttlOffsets)
        self.storedAt = storedAt
        self.expiresAt = expiresAt
        self.store = store
        self.storeGeneration = storeGeneration
        self.generation = generation
        self.rcode = rcode
    }

    /// The TTL offsets of `wire` (a response with one question) and the smallest TTL, or nil
    /// when the message does not walk cleanly.
    static func ttlFields(of wire: [UInt8]) -> (offsets: [UInt16], minimum: UInt32)? {
        guard wire.count >= 12, wire.count <= Int(UInt16.max) else { return nil }
        func u16(_ at: Int) -> Int { Int(wire[at]) << 8 | Int(wire[at + 1]) }
        func skipName(_ start: Int) -> Int? {
            var offset = start
            while offset < wire.count {
                let length = Int(wire[offset])
                if length & 0xC0 == 0xC0 { return offset + 2 }
                guard length & 0xC0 == 0 else { return nil }
                offset += 1 + length
                if length == 0 { return offset }
            }
            return nil
        }
        guard u16(4) == 1, var offset = skipName(12) else { return nil }
        offset += 4
        let records = u16(6) + u16(8) + u16(10)
        var offsets: [UInt16] = []
        var minimum = UInt32.max
        for _ in 0..<records {
            guard let end = skipName(offset), end + 10 <= wire.count else { return nil }
            let type = u16(end)
            if type != 41 {
                offsets.append(UInt16(end + 4))
                let ttl = UInt32(wire[end + 4]) << 24 | UInt32(wire[end + 5]) << 16 | UInt32(wire[end + 6]) << 8 | UInt32(wire[end + 7])
                minimum = min(minimum, ttl)
            }
            offset = end + 10 + u16(end + 8)
            guard offset <= wire.count else { return nil }
        }
        guard offset == wire.count else { return nil }
        return (offsets, minimum)
    }
}
