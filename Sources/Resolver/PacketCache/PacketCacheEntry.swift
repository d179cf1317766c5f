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
    /// Where the OPT record starts (it is the last record), for the client's COOKIE option;
    /// nil without one.
    let optStart: Int?
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

    init(name: DNSName, type: RecordType, recordClass: UInt16, meta: UInt64, wire: [UInt8], ttlOffsets: TTLOffsets, optStart: Int?,
         storedAt: UInt64, expiresAt: UInt64, store: CacheStore, storeGeneration: UInt64, generation: UInt64, rcode: Rcode) {
        self.optStart = optStart
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.meta = meta
        self.wire = wire
        self.ttlOffsets = ttlOffsets
        self.storedAt = storedAt
        self.expiresAt = expiresAt
        self.store = store
        self.storeGeneration = storeGeneration
        self.generation = generation
        self.rcode = rcode
    }

    /// Whether the entry may still be served: not expired, filed under the pipeline generation
    /// `current`, and its cache store not flushed since.
    func isServable(now: UInt64, generation current: UInt64) -> Bool {
        expiresAt > now && generation == current && store.generation == storeGeneration
    }

    /// The TTL offsets of `wire` (a response with one question), the smallest TTL and where
    /// the OPT record starts, or nil when the message does not walk cleanly (the relay's
    /// reading of an answer: RelayedAnswer).
    static func ttlFields(of wire: [UInt8]) -> (offsets: TTLOffsets, minimum: UInt32, optStart: Int?)? {
        wire.withUnsafeBytes { bytes -> (offsets: TTLOffsets, minimum: UInt32, optStart: Int?)? in
            guard bytes.count >= 12, bytes[4] == 0, bytes[5] == 1, let nameEnd = RelayedAnswer.skipName(bytes, from: 12),
                  let layout = RelayedAnswer(bytes, nameEnd: nameEnd) else { return nil }
            let minimum = layout.ttlOffsets.reduce(UInt32.max) { smallest, offset in
                let at = Int(offset)
                return min(smallest, UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
            }
            return (layout.ttlOffsets, minimum, layout.hasOPT ? layout.bodyEnd : nil)
        }
    }
}
