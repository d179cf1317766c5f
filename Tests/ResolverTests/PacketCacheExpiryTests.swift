import DNSProto
import Testing
@testable import Resolver

/// What a packet-cache entry does around expiry for the relay (serve-stale, prefetch,
/// optimistic refresh): the stale answer's bytes, the stale window, and when a hit asks for a
/// refresh. Entries are built by hand, time is given as numbers.
@Suite("Packet cache expiry")
struct PacketCacheExpiryTests {
    static let second: UInt64 = 1_000_000_000

    /// An entry for `www.example. A` answered with TTL 300, stored at 100 s, expiring at 400 s.
    func entry(prefetchHits: UInt8 = 3, staleSeconds: UInt32 = 3600, edns: Bool = true) throws -> (PacketCacheEntry, [UInt8]) {
        let query = ZoneFixture.query("www.example.", .a, edns: edns ? EDNS() : nil)
        var response = Message.response(to: query, rcode: .noError)
        response.answers = [ResourceRecord(name: query.question!.name, ttl: 300, rdata: .a(IPv4Address("192.0.2.1")!))]
        let wire = try response.encode()
        let fields = try #require(PacketCacheEntry.ttlFields(of: wire))
        let request = try query.encode()
        let packet = try #require(request.withUnsafeBytes { PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) })
        var expiry = PacketCacheExpiry()
        expiry.staleSeconds = staleSeconds
        expiry.staleTTL = 30
        expiry.prefetchHits = prefetchHits
        let made = PacketCacheEntry(
            name: query.question!.name, type: .a, recordClass: 1, meta: packet.meta, wire: wire, ttlOffsets: fields.offsets,
            optStart: fields.optStart, storedAt: 100 * Self.second, expiresAt: 400 * Self.second, store: CacheStore(maxEntries: 10, maxBytes: 1 << 20),
            storeGeneration: 0, generation: 0, rcode: .noError, expiry: expiry)
        return (made, request)
    }

    @Test func aStaleAnswerHasTheStaleTTLAndExtendedError3() throws {
        let (entry, request) = try entry()
        let packet = try #require(request.withUnsafeBytes { PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) })
        var out = [UInt8](repeating: 0, count: 1232)
        let length = try #require(out.withUnsafeMutableBytes { out in
            request.withUnsafeBytes { PacketCache.writeStale(entry, query: packet, bytes: $0, staleTTL: 30, into: out) }
        })
        let reply = try Message(wire: Array(out[0..<length]))
        #expect(reply.header.id == (try Message(wire: request)).header.id)
        #expect(reply.answers.map(\.ttl) == [30], "300 lowered to stale_ttl")
        let errors = reply.edns?.options.compactMap { option -> UInt16? in
            if case .extendedError(let code, _) = option { return code }
            return nil
        }
        #expect(errors == [ExtendedErrorCode.staleAnswer])
    }

    @Test func withoutEDNSTheStaleAnswerHasNoOption() throws {
        let (entry, request) = try entry(edns: false)
        let packet = try #require(request.withUnsafeBytes { PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) })
        var out = [UInt8](repeating: 0, count: 512)
        let length = try #require(out.withUnsafeMutableBytes { out in
            request.withUnsafeBytes { PacketCache.writeStale(entry, query: packet, bytes: $0, staleTTL: 30, into: out) }
        })
        #expect(length == entry.wire.count)
        #expect(try Message(wire: Array(out[0..<length])).edns == nil)
    }

    @Test func theStaleWindowStartsAtExpiryAndLastsServeStale() throws {
        let (entry, _) = try entry(staleSeconds: 60)
        #expect(!entry.isStale(now: 399 * Self.second, generation: 0), "still fresh")
        #expect(entry.isStale(now: 400 * Self.second, generation: 0))
        #expect(entry.isStale(now: 459 * Self.second, generation: 0))
        #expect(!entry.isStale(now: 460 * Self.second, generation: 0), "past serve_stale")
        #expect(!entry.isStale(now: 420 * Self.second, generation: 1), "another pipeline generation")
        let (plain, _) = try self.entry(staleSeconds: 0)
        #expect(!plain.isStale(now: 401 * Self.second, generation: 0), "serve_stale 0")
    }

    @Test func aRefreshIsAskedOnceAfterPrefetchHitsInTheLastTenth() throws {
        let (entry, _) = try entry(prefetchHits: 3)
        // Early hits count but do not refresh; the window opens at 370 s (a tenth of 300 left).
        #expect(!entry.hitWantsRefresh(now: 150 * Self.second))
        #expect(!entry.hitWantsRefresh(now: 160 * Self.second))
        #expect(!entry.hitWantsRefresh(now: 369 * Self.second), "third hit, window not open yet")
        #expect(entry.hitWantsRefresh(now: 371 * Self.second), "popular and in the window")
        #expect(!entry.hitWantsRefresh(now: 372 * Self.second), "one refresh per entry")
        #expect(!entry.claimRefresh(), "already claimed")

        let (quiet, _) = try self.entry(prefetchHits: 3)
        #expect(!quiet.hitWantsRefresh(now: 380 * Self.second), "first hit in the window: not popular yet")
        #expect(!quiet.hitWantsRefresh(now: 381 * Self.second))
        #expect(quiet.hitWantsRefresh(now: 382 * Self.second), "third hit")

        let (off, _) = try self.entry(prefetchHits: 0)
        for second in 380..<390 { #expect(!off.hitWantsRefresh(now: UInt64(second) * Self.second), "prefetch off") }
        #expect(off.claimRefresh(), "an optimistic refresh may still be claimed once")
    }
}
