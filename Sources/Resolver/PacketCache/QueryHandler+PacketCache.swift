import DNSProto
import Foundation
import NIOCore

/// The packet-cache side of `QueryHandler`: answering from it before any parsing, and
/// preparing a full-path query to fill it.
extension QueryHandler {
    /// What the UDP workers' hit path did with a query.
    public enum PacketLookup {
        /// The answer (the packet cache's, or admission's refusal) is in the caller's buffer:
        /// this many bytes.
        case answered(Int)
        /// Admission (or RRL) dropped it: send nothing.
        case dropped
        /// Not answered here; the plain query as read (nil when the query is not a plain one or
        /// the packet cache is off), for the UDP relay, so nothing reads the datagram twice,
        /// the admission ticket when admission ran, and the expired entry the relay may serve
        /// stale if the upstream fails or is slow (RFC 8767).
        case missed(PacketQuery?, AdmissionTicket?, stale: PacketCacheEntry?)
    }

    /// The packet cache's answer to the UDP query `request`, written into `out`, or the miss,
    /// after the admission step (`admission`: read once per burst by the caller). No
    /// allocation and no lock but the cache shard's and the rate table's: this is the UDP
    /// workers' hit path. The hit's query event joins `burst` (source `cache`), which the
    /// caller hands to the observers when the burst's answers are out (`HitBurst.finish`).
    public func packetLookup(_ request: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
                             client: ClientAddress?, admission: Admission, burst: inout HitBurst) -> PacketLookup {
        guard let query = plainQuery(request, transport: .udp) else { return .missed(nil, nil, stale: nil) }
        let now = burst.cacheNow
        let wallSeconds = UInt32(truncatingIfNeeded: burst.wall / 1_000_000_000)
        let ticket: AdmissionTicket
        switch admission.check(wire: request, query: query, client: client, transport: .udp, now: now, wallSeconds: wallSeconds) {
        case .admit(let admitted):
            ticket = admitted
        case .reject(let rejection, let rejected):
            return writeRejection(rejection, request: request, query: query, into: out, admission: admission, ticket: rejected,
                                  burst: &burst)
        }
        switch pipeline.packetCache.find(query, bytes: request, now: now) {
        case .fresh(let entry) where entry.wire.count <= out.count:
            let answer = UnsafeMutableRawBufferPointer(rebasing: out[0..<entry.wire.count])
            entry.wire.withUnsafeBytes { answer.copyMemory(from: $0) }
            PacketCache.patch(answer, entry: entry, query: query, bytes: request, now: now)
            if entry.hitWantsRefresh(now: now) {
                entry.store.count(\.prefetches, for: entry.statisticsKey)
                burst.refresh(request, query: query, entry: entry)
            }
            return deliver(entry.wire.count, entry: entry, query: query, request: request, into: out, client: client, admission: admission, ticket: ticket,
                           burst: &burst)
        case .stale(let entry) where entry.optimistic:
            // Optimistic: the stale answer now, and one refresh in the background.
            guard let length = PacketCache.writeStale(entry, query: query, bytes: request, staleTTL: entry.staleTTL, into: out) else {
                return .missed(query, ticket, stale: entry)
            }
            pipeline.packetCache.countStaleHit()
            entry.store.count(\.staleServed, for: entry.statisticsKey)
            if entry.claimRefresh() {
                entry.store.count(\.prefetches, for: entry.statisticsKey)
                burst.refresh(request, query: query, entry: entry)
            }
            return deliver(length, entry: entry, query: query, request: request, into: out, client: client, admission: admission, ticket: ticket,
                           burst: &burst)
        case .stale(let entry):
            return .missed(query, ticket, stale: entry)
        case .fresh, nil:
            return .missed(query, ticket, stale: nil)
        }
    }

    /// The hit's answer (`length` bytes in `out`) through admission's `finish` (RRL, the
    /// client's cookie), with its query event.
    private func deliver(_ written: Int, entry: PacketCacheEntry, query: PacketQuery, request: UnsafeRawBufferPointer,
                         into out: UnsafeMutableRawBufferPointer, client: ClientAddress?, admission: Admission, ticket: AdmissionTicket,
                         burst: inout HitBurst) -> PacketLookup {
        let now = burst.cacheNow
        let wallSeconds = UInt32(truncatingIfNeeded: burst.wall / 1_000_000_000)
        let delivery = admission.finish(out, length: written, optStart: entry.optStart, questionEnd: query.nameEnd + 4,
                                        limit: query.limit, ticket: ticket, transport: .udp, now: now, wallSeconds: wallSeconds,
                                        leases: burst.leases)
        var source = AnswerSource.cache
        let length: Int
        switch delivery {
        case .send(let count): length = count
        case .slip(let count): length = count; source = .admission("rrl:slip")
        case .drop:
            if !observers.isEmpty { burst.append(event(for: query, name: entry.name, rcode: entry.rcode, client: client, source: .admission("rrl:drop"), bytes: 0, burst: burst)) }
            return .dropped
        }
        if !observers.isEmpty {
            burst.append(event(for: query, name: entry.name, rcode: entry.rcode, client: client, source: source, bytes: length, burst: burst,
                               dnssec: entry.dnssec))
        }
        burst.tap(request: request, answer: UnsafeRawBufferPointer(rebasing: out[0..<length]), client: client)
        return .answered(length)
    }

    /// Admission's answer on the hit path: refusal, empty answer or BADCOOKIE written into
    /// `out` (then RRL and the cookie as for any answer), or nothing for a drop.
    private func writeRejection(_ rejection: Admission.Rejection, request: UnsafeRawBufferPointer, query: PacketQuery,
                                into out: UnsafeMutableRawBufferPointer, admission: Admission, ticket: AdmissionTicket,
                                burst: inout HitBurst) -> PacketLookup {
        let name = observers.isEmpty ? nil : DNSName(lowercasingWire: UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd]))
        guard let (length, optStart) = admission.writeRejection(rejection, request: request, query: query, udpSize: maxUDPPayload, into: out) else {
            if let name { burst.append(event(for: query, name: name, rcode: .noError, client: ticket.client, source: rejection.source, bytes: 0, burst: burst)) }
            return .dropped
        }
        let delivery = admission.finish(out, length: length, optStart: optStart, questionEnd: query.nameEnd + 4, limit: query.limit,
                                        ticket: ticket, transport: .udp, now: burst.cacheNow,
                                        wallSeconds: UInt32(truncatingIfNeeded: burst.wall / 1_000_000_000))
        let rcode = Rcode(rawValue: UInt16(out[3] & 0x0F) | (optStart != nil ? UInt16(out[optStart! + 5]) << 4 : 0))
        switch delivery {
        case .send(let count), .slip(let count):
            if let name { burst.append(event(for: query, name: name, rcode: rcode, client: ticket.client, source: rejection.source, bytes: count, burst: burst)) }
            burst.tap(request: request, answer: UnsafeRawBufferPointer(rebasing: out[0..<count]), client: ticket.client)
            return .answered(count)
        case .drop:
            if let name { burst.append(event(for: query, name: name, rcode: rcode, client: ticket.client, source: .admission("rrl:drop"), bytes: 0, burst: burst)) }
            return .dropped
        }
    }

    private func event(for query: PacketQuery, name: DNSName, rcode: Rcode, client: ClientAddress?, source: AnswerSource, bytes: Int,
                       burst: HitBurst, dnssec: DNSSECStatus? = nil) -> QueryEvent {
        QueryEvent(timeNanos: burst.wall, client: client, transport: .udp, name: name, type: RecordType(rawValue: query.type), rcode: rcode,
                   latencyNanos: 0, source: source, truncated: bytes > 2 && source == .admission("rrl:slip"), dnssecOK: query.dnssecOK,
                   responseBytes: bytes, dnssec: dnssec)
    }

    /// What the stream transports' packet-cache step did with a query.
    enum StreamLookup {
        case answered([UInt8])
        /// Admission turned it away; the full path parses it to answer so.
        case rejected(Admission.Rejection, AdmissionTicket)
        /// Not answered; the admission ticket when admission ran on the raw query.
        case missed(AdmissionTicket?)
    }

    /// Admission and the packet cache for a request already copied into an array (stream
    /// transports): a plain query is admitted on its raw bytes and answered from the packet
    /// cache when it can be; anything else is left to the full path, which admits it there.
    func streamLookup(_ request: [UInt8], context: QueryContext, admission: Admission) -> StreamLookup {
        request.withUnsafeBytes { bytes -> StreamLookup in
            guard let query = plainQuery(bytes, transport: context.transport) else { return .missed(nil) }
            let client = context.client.flatMap(ClientAddress.init)
            let arrival = Arrival()
            switch admission.check(wire: bytes, query: query, client: client, transport: context.transport, now: arrival.uptime,
                                   wallSeconds: arrival.wallSeconds) {
            case .admit(let ticket):
                guard let (entry, now) = packetHit(query, bytes: bytes) else { return .missed(ticket) }
                var out = entry.wire
                out.withUnsafeMutableBytes { PacketCache.patch($0, entry: entry, query: query, bytes: bytes, now: now) }
                _ = admission.finish(&out, optStart: entry.optStart, limit: query.limit, ticket: ticket, transport: context.transport,
                                     now: now, wallSeconds: arrival.wallSeconds)
                reportHit(entry, query: query, client: client, transport: context.transport, arrival: now)
                if let tap = TapPoint.current {
                    tap.record(TapMessage(kind: .client, transport: context.transport, peer: client, query: request, response: out,
                                          queryTime: arrival.wall, responseTime: Self.wallNow()))
                }
                return .answered(out)
            case .reject(let rejection, let ticket):
                return .rejected(rejection, ticket)
            }
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
                   responseBytes: entry.wire.count, dnssec: entry.dnssec)
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
