import DNSProto
import Foundation
import NIOCore

/// The packet-cache side of `QueryHandler`: answering from it before any parsing, and
/// preparing a full-path query to fill it.
extension QueryHandler {
    /// What the UDP workers' hit path found for a query.
    public enum PacketLookup {
        /// The packet cache's answer is in the caller's buffer: this many bytes.
        case answered(Int)
        /// Not answered here; the plain query as read (nil when the query is not a plain one or
        /// the packet cache is off), for the UDP relay, so nothing reads the datagram twice.
        case missed(PacketQuery?)
    }

    /// The packet cache's answer to the UDP query `request`, written into `out`, or the miss.
    /// No allocation and no lock but the cache shard's: this is the UDP workers' hit path. The
    /// hit's query event joins `burst` (source `cache`), which the caller hands to the
    /// observers when the burst's answers are out (`HitBurst.finish`).
    public func packetLookup(_ request: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
                             client: ClientAddress?, burst: inout HitBurst) -> PacketLookup {
        guard let query = plainQuery(request, transport: .udp) else { return .missed(nil) }
        let now = burst.cacheNow
        guard let entry = pipeline.packetCache.lookup(query, bytes: request, now: now), entry.wire.count <= out.count else {
            return .missed(query)
        }
        let answer = UnsafeMutableRawBufferPointer(rebasing: out[0..<entry.wire.count])
        entry.wire.withUnsafeBytes { answer.copyMemory(from: $0) }
        PacketCache.patch(answer, entry: entry, query: query, bytes: request, now: now)
        if !observers.isEmpty {
            burst.append(hitEvent(entry, query: query, client: client, transport: .udp, wall: burst.wall, latency: 0))
        }
        return .answered(entry.wire.count)
    }

    /// The packet cache's answer to a request already copied into an array (stream transports).
    func cachedAnswer(_ request: [UInt8], context: QueryContext) -> [UInt8]? {
        request.withUnsafeBytes { bytes -> [UInt8]? in
            guard let query = plainQuery(bytes, transport: context.transport), let (entry, now) = packetHit(query, bytes: bytes) else { return nil }
            var out = entry.wire
            out.withUnsafeMutableBytes { PacketCache.patch($0, entry: entry, query: query, bytes: bytes, now: now) }
            reportHit(entry, query: query, client: context.client.flatMap(ClientAddress.init), transport: context.transport, arrival: now)
            return out
        }
    }

    /// The plain query in `bytes`, when the packet cache is on and the query is one it takes.
    private func plainQuery(_ bytes: UnsafeRawBufferPointer, transport: Transport) -> PacketQuery? {
        guard usesPacketCache else { return nil }
        return PacketQuery(bytes, transportLimit: Self.transportLimit(transport), maxUDPPayload: maxUDPPayload)
    }

    /// The entry that may answer `query` now, with the clock reading.
    private func packetHit(_ query: PacketQuery, bytes: UnsafeRawBufferPointer) -> (PacketCacheEntry, UInt64)? {
        let cache = pipeline.packetCache
        let now = cache.clock()
        guard let entry = cache.lookup(query, bytes: bytes, now: now) else { return nil }
        return (entry, now)
    }

    /// Over streams the answer may be as big as a message gets (RFC 1035 §4.2.2).
    private static func transportLimit(_ transport: Transport) -> Int? { transport == .udp ? nil : 65535 }

    private func reportHit(_ entry: PacketCacheEntry, query: PacketQuery, client: ClientAddress?, transport: Transport,
                           arrival: UInt64) {
        guard !observers.isEmpty else { return }
        for observer in observers { observer.queryStarted() }
        let event = hitEvent(entry, query: query, client: client, transport: transport,
                             wall: UInt64(Date().timeIntervalSince1970 * 1_000_000_000),
                             latency: pipeline.packetCache.clock() &- arrival)
        for observer in observers { observer.record(event) }
    }

    private func hitEvent(_ entry: PacketCacheEntry, query: PacketQuery, client: ClientAddress?, transport: Transport,
                          wall: UInt64, latency: UInt64) -> QueryEvent {
        QueryEvent(timeNanos: wall, client: client, transport: transport, name: entry.name, type: entry.type, rcode: entry.rcode,
                   latencyNanos: latency, source: .cache, truncated: false, dnssecOK: query.dnssecOK,
                   responseBytes: entry.wire.count)
    }

    /// For a query about to run `pipeline`: what filing its answer will need, when its server
    /// block has a `cache` plugin and the query is a plain one. `generation` was read before
    /// `pipeline`, so a reload in between voids the entry.
    func packetCacheFill(_ request: [UInt8], query: Message, pipeline: Pipeline, generation: UInt64,
                         transport: Transport) -> PacketCacheFill? {
        guard usesPacketCache, let question = query.question, let block = pipeline.block(answering: question),
              let plugin = block.plugins.lazy.compactMap({ $0 as? CachePlugin }).first else { return nil }
        let storeGeneration = plugin.store.generation
        return request.withUnsafeBytes { bytes -> PacketCacheFill? in
            guard let packet = PacketQuery(bytes, transportLimit: Self.transportLimit(transport), maxUDPPayload: maxUDPPayload) else {
                return nil
            }
            return PacketCacheFill(query: packet, cache: self.pipeline.packetCache,
                                   generation: generation, plugin: plugin, storeGeneration: storeGeneration)
        }
    }
}
