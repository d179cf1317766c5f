import DNSProto
import Synchronization

/// One answer in wire form as the packet cache keeps it: the encoded response, where its TTLs
/// are, and what must still hold for it to be served (its cache store not flushed since, the
/// pipeline not replaced since, not expired), and what its cache does around expiry: how long
/// it may be served stale, whether it is served optimistically, when popular enough to be
/// refreshed early. Immutable but for a small hit counter; shared by reference.
public final class PacketCacheEntry: Sendable {
    /// The question, lower-cased: the key a query is matched against, and the name its query
    /// event shows (one array for both keeps an entry small).
    let name: DNSName
    let type: RecordType
    let recordClass: UInt16
    /// For the query event of a hit. (Next to the other small fields: alone at the end it
    /// pushed the object into the next malloc size class.)
    let rcode: Rcode
    /// What validation found when it was filed (nil: not validated), for the hit's query event.
    let dnssec: DNSSECStatus?
    /// The cache's `prefetch_hits` (at most 127) when it prefetches, else 0.
    let prefetchHits: UInt8
    /// Serve it stale at once and refresh it in the background (`optimistic`).
    let optimistic: Bool
    /// Hits counted up to `prefetchHits` (bits 0-6; the counting stops there, so a popular
    /// entry's cache line is not written on every hit), and bit 7 once a refresh is under way.
    private let uses = Atomic<UInt8>(0)
    /// How long past expiry it may be served stale (`serve_stale`, seconds; 0 = not at all).
    let staleSeconds: UInt32
    /// The TTL its records get when served stale (`stale_ttl`).
    let staleTTL: UInt32
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
         storedAt: UInt64, expiresAt: UInt64, store: CacheStore, storeGeneration: UInt64, generation: UInt64, rcode: Rcode,
         expiry: PacketCacheExpiry = .plain, dnssec: DNSSECStatus? = nil) {
        self.dnssec = dnssec
        prefetchHits = expiry.prefetchHits
        optimistic = expiry.optimistic
        staleSeconds = expiry.staleSeconds
        staleTTL = expiry.staleTTL
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

    /// Whether it has expired but may still be served stale (`serve_stale`), under the same
    /// conditions as `isServable` otherwise.
    func isStale(now: UInt64, generation current: UInt64) -> Bool {
        staleSeconds > 0 && expiresAt <= now && now < expiresAt &+ UInt64(staleSeconds) * 1_000_000_000
            && generation == current && store.generation == storeGeneration
    }

    /// Counts a fresh hit at `now`; true when this hit should refresh the entry in the
    /// background (prefetch): it was asked for `prefetchHits` times and has less than a tenth
    /// of its TTL left. True for one hit per entry only.
    func hitWantsRefresh(now: UInt64) -> Bool {
        guard prefetchHits > 0 else { return false }
        let seen = uses.load(ordering: .relaxed)
        guard seen & 0x80 == 0 else { return false }
        // A plain load and store: two workers counting the same hit at once lose one, which
        // only delays a prefetch by a query, and no hit pays for a locked instruction.
        if seen < prefetchHits { uses.store(seen + 1, ordering: .relaxed) }
        guard seen + 1 >= prefetchHits, now >= expiresAt &- (expiresAt &- storedAt) / 10 else { return false }
        return claimRefresh()
    }

    /// Takes the entry's one background refresh; false when one was already started.
    func claimRefresh() -> Bool {
        var seen = uses.load(ordering: .relaxed)
        while seen & 0x80 == 0 {
            let (exchanged, original) = uses.compareExchange(expected: seen, desired: 0x80, ordering: .relaxed)
            if exchanged { return true }
            seen = original
        }
        return false
    }

    /// Gives back a refresh that could not be sent, so that a later hit may start one.
    func releaseRefresh() {
        uses.store(prefetchHits, ordering: .relaxed)
    }

    /// The cache store's counters are kept per question (`cache.stats` counts the relay's
    /// stale answers and prefetches with the full path's).
    var statisticsKey: CacheKey {
        CacheKey(name: name, type: type, recordClass: RecordClass(rawValue: recordClass), dnssecOK: meta & (1 << 17) != 0,
                 checkingDisabled: meta & 0x10 != 0)
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
