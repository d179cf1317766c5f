import DNSProto
import Foundation
import NIOCore

/// The packet-cache side of `QueryHandler`: answering from it before any parsing, and
/// preparing a full-path query to fill it.
extension QueryHandler {
    /// The packet cache's answer to the UDP query `request`, written into `out`: its length,
    /// or nil (take the full path). No allocation: this is the UDP workers' hit path.
    /// Reported to the observers like any other answer (source `cache`).
    public func cachedAnswer(_ request: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
                             client: ClientAddress?) -> Int? {
        guard let (query, entry, now) = packetHit(request, transport: .udp), entry.wire.count <= out.count else { return nil }
        let answer = UnsafeMutableRawBufferPointer(rebasing: out[0..<entry.wire.count])
        entry.wire.withUnsafeBytes { answer.copyMemory(from: $0) }
        PacketCache.patch(answer, entry: entry, query: query, bytes: request, now: now)
        reportHit(entry, query: query, client: client, transport: .udp, arrival: now)
        return entry.wire.count
    }

    /// The packet cache's answer to a request already copied into an array (stream transports).
    func cachedAnswer(_ request: [UInt8], context: QueryContext) -> [UInt8]? {
        request.withUnsafeBytes { bytes -> [UInt8]? in
            guard let (query, entry, now) = packetHit(bytes, transport: context.transport) else { return nil }
            var out = entry.wire
            out.withUnsafeMutableBytes { PacketCache.patch($0, entry: entry, query: query, bytes: bytes, now: now) }
            reportHit(entry, query: query, client: context.client.flatMap(ClientAddress.init), transport: context.transport, arrival: now)
            return out
        }
    }

    /// The plain query in `bytes` and the entry that may answer it now, with the clock reading.
    private func packetHit(_ bytes: UnsafeRawBufferPointer, transport: Transport) -> (PacketQuery, PacketCacheEntry, UInt64)? {
        guard usesPacketCache,
              let query = PacketQuery(bytes, transportLimit: Self.transportLimit(transport), maxUDPPayload: maxUDPPayload)
        else { return nil }
        let cache = pipeline.packetCache
        let now = cache.clock()
        guard let entry = cache.lookup(query, bytes: bytes, now: now) else { return nil }
        return (query, entry, now)
    }

    /// Over streams the answer may be as big as a message gets (RFC 1035 §4.2.2).
    private static func transportLimit(_ transport: Transport) -> Int? { transport == .udp ? nil : 65535 }

    private func reportHit(_ entry: PacketCacheEntry, query: PacketQuery, client: ClientAddress?, transport: Transport,
                           arrival: UInt64) {
        guard !observers.isEmpty else { return }
        for observer in observers { observer.queryStarted() }
        let event = QueryEvent(
            timeNanos: UInt64(Date().timeIntervalSince1970 * 1_000_000_000), client: client, transport: transport,
            name: entry.name, type: entry.type, rcode: entry.rcode, latencyNanos: pipeline.packetCache.clock() &- arrival, source: .cache,
            truncated: false, dnssecOK: query.dnssecOK, responseBytes: entry.wire.count)
        for observer in observers { observer.record(event) }
    }

    /// For a query about to run `pipeline`: what filing its answer will need, when its server
    /// block has a `cache` plugin and the query is a plain one. `generation` was read before
    /// `pipeline`, so a reload in between voids the entry.
    func packetCacheFill(_ request: [UInt8], query: Message, pipeline: Pipeline, generation: UInt64,
                         transport: Transport) -> PacketCacheFill? {
        guard usesPacketCache, let question = query.question, let block = pipeline.block(for: question.name),
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
