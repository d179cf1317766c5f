import DNSProto
import NIOCore
import NIOEmbedded
import Testing
@testable import Resolver

/// The packet cache in front of the pipeline: what it serves, how it patches, and that every
/// invalidation of the cache plugin reaches it. Time moves by hand (no sleeping, no timing).
@Suite("Packet cache")
struct PacketCacheTests {
    let clock = CacheTestClock()
    let upstream = ScriptedUpstream()
    let loop = EmbeddedEventLoop()
    let plugin: CachePlugin
    let reference: PipelineReference
    let handler: QueryHandler

    init() {
        var settings = CacheSettings()
        settings.prefetch = false
        plugin = CachePlugin(settings: settings, clock: clock.function)
        reference = PipelineReference(Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [plugin, upstream])]),
                                      packetCache: PacketCache(clock: clock.function))
        handler = QueryHandler(pipeline: reference, packetCache: true)
    }

    func query(_ name: String, id: UInt16 = 4242, edns: EDNS? = EDNS(), type: RecordType = .a) -> [UInt8] {
        var message = ZoneFixture.query(name, type, edns: edns)
        message.header.id = id
        return try! message.encode()
    }

    func ask(_ bytes: [UInt8], using handler: QueryHandler? = nil) throws -> [UInt8] {
        switch (handler ?? self.handler).handle(bytes, context: QueryContext(client: nil, transport: .udp, eventLoop: loop)) {
        case .respond(let reply): return reply
        case .drop: throw DNSWireError.unencodable("dropped")
        case .pending(let pending):
            let bytes = pending.futureResult
            loop.run()
            return try #require(try bytes.wait())
        }
    }

    var hits: UInt64 { reference.packetCache.hits }

    @Test func ttlOffsetsKeepEveryOffsetInOrder() {
        // Four fit the packed word; a fifth, or a 0 (which marks an empty slot), moves them to the array.
        for offsets in [[], [28], [28, 44, 60, 76], [28, 44, 60, 76, 92], [65535, 12], [28, 0, 44]] as [[UInt16]] {
            let packed = TTLOffsets(offsets)
            #expect(Array(packed) == offsets)
            #expect(packed.count == offsets.count)
            #expect(offsets.indices.map { packed[$0] } == offsets)
        }
    }

    @Test func secondQueryIsAHitWithItsOwnIDAndCase() throws {
        let first = try ask(query("www.example.", id: 1))
        #expect(hits == 0)
        let second = try ask(query("www.example.", id: 1))
        #expect(hits == 1, "the upstream answer the cache plugin stored was filed with it")
        let third = try ask(query("WwW.ExAmple.", id: 77))
        #expect(hits == 2)
        #expect(upstream.calls == 1)
        let reply = try Message(wire: third)
        #expect(reply.header.id == 77)
        #expect(reply.question?.name.description == "WwW.ExAmple.")
        #expect(reply.answers == (try Message(wire: first)).answers)
        #expect(try Message(wire: second).answers == reply.answers)
        // The UDP workers' entry point writes the same answer into their own buffer, and its
        // query event reaches the observers when the burst is finished, not before.
        let ring = QueryEventRing(capacity: 8)
        let counters = QueryCounters()
        let udpHandler = QueryHandler(pipeline: reference, observers: [ring, counters], packetCache: true)
        let request = query("www.EXAMPLE.", id: 9)
        var out = [UInt8](repeating: 0, count: 4096)
        var burst = HitBurst(capacity: 4)
        burst.begin(cache: reference.packetCache)
        let lookup = request.withUnsafeBytes { bytes in
            out.withUnsafeMutableBytes { udpHandler.packetLookup(bytes, into: $0, client: nil, admission: udpHandler.pipeline.current.admission, burst: &burst) }
        }
        #expect(ring.cursor == 0)
        burst.answersReady()
        burst.finish(observers: udpHandler.observers)
        let events = ring.read(from: 0).events
        #expect(events.map(\.name.description) == ["www.example."])
        #expect(events.first?.source == .cache)
        #expect(counters.snapshot().total == 1)
        #expect(counters.inFlight == 0, "a burst's hits count as started and answered")
        guard case .answered(let length) = lookup else {
            Issue.record("the UDP entry point missed: \(lookup)")
            return
        }
        let parsed = try Message(wire: Array(out[..<length]))
        #expect(parsed.header.id == 9)
        #expect(parsed.question?.name.description == "www.EXAMPLE.")
        #expect(parsed.answers == reply.answers)
        #expect(hits == 3)
    }

    @Test func aRelayedAnswerIsFiledAsTheCacheWouldServeIt() throws {
        var settings = CacheSettings()
        settings.prefetch = false
        settings.maxTTL = 100
        let reference = PipelineReference(
            Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [CachePlugin(settings: settings, clock: clock.function), upstream])]),
            packetCache: PacketCache(clock: clock.function))
        let handler = QueryHandler(pipeline: reference, packetCache: true)
        let relayed = try Message(wire: try ask(query("r.example."), using: handler))
        #expect(relayed.header.authoritative, "the first client gets the upstream's answer as relayed")
        let hit = try Message(wire: try ask(query("r.example."), using: handler))
        #expect(reference.packetCache.hits == 1)
        #expect(!hit.header.authoritative, "a cache is no authority")
        #expect(hit.answers.first?.ttl == 100, "max_ttl holds for the packet copy too")
    }

    @Test func ttlsCountDownAndTheEntryEndsWithTheCacheEntry() throws {
        _ = try ask(query("a.example."))
        _ = try ask(query("a.example."))
        clock.advance(seconds: 100)
        let later = try Message(wire: try ask(query("a.example.")))
        #expect(hits == 2)
        #expect(later.answers.first?.ttl == 200)
        clock.advance(seconds: 200)
        _ = try ask(query("a.example."))
        #expect(hits == 2, "expired together with the cache plugin's entry")
        #expect(upstream.calls == 2)
    }

    @Test func doBitEDNSAndClientSubnetAreNotMixedUp() throws {
        _ = try ask(query("b.example."))
        _ = try ask(query("b.example."))
        _ = try ask(query("b.example.", edns: EDNS(dnssecOK: true)))
        _ = try ask(query("b.example.", edns: nil))
        #expect(hits == 1, "only the repeat of the first question")
        let subnet = EDNS(options: [.clientSubnet(ClientSubnet(family: 1, address: [192, 0, 2, 0], sourcePrefixLength: 24))])
        _ = try ask(query("b.example.", edns: subnet))
        _ = try ask(query("b.example.", edns: subnet))
        #expect(hits == 1)
        let reply = try Message(wire: try ask(query("b.example.", edns: nil)))
        #expect(hits == 2)
        #expect(reply.edns == nil, "the OPT-less entry for the OPT-less query")
    }

    @Test func answersTooBigForTheClientTakeTheFullPath() throws {
        let big = ScriptedUpstream { query in
            var reply = Message.response(to: query)
            reply.answers = (0..<60).map { ResourceRecord(name: query.question!.name, ttl: 300, rdata: .a(IPv4Address("192.0.2.\($0)")!)) }
            return reply
        }
        let reference = PipelineReference(Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [CachePlugin(clock: clock.function), big])]),
                                          packetCache: PacketCache(clock: clock.function))
        let handler = QueryHandler(pipeline: reference, packetCache: true)
        for _ in 0..<3 {
            let small = try Message(wire: try ask(query("big.example.", edns: EDNS(udpPayloadSize: 512)), using: handler))
            #expect(small.header.truncated)
        }
        #expect(reference.packetCache.hits == 0)
        _ = try ask(query("big.example."), using: handler)
        let full = try Message(wire: try ask(query("big.example."), using: handler))
        #expect(!full.header.truncated)
        #expect(full.answers.count == 60)
        #expect(reference.packetCache.hits == 1)
    }

    @Test func flushesZoneInvalidationsAndReloadsReachIt() throws {
        func warm(_ name: String) throws {
            _ = try ask(query(name))
            _ = try ask(query(name))
            let before = hits
            _ = try ask(query(name))
            #expect(hits == before + 1)
        }
        try warm("c.example.")
        plugin.store.flush()
        _ = try ask(query("c.example."))
        #expect(upstream.calls == 2, "after cache.flush the answer is fetched again")

        try warm("d.example.")
        plugin.store.flush(subtree: try DNSName("example."))  // what a zone edit does
        let before = hits
        _ = try ask(query("d.example."))
        #expect(hits == before)

        try warm("e.example.")
        plugin.store.flush(name: try DNSName("other.example."))  // any removal voids the packet entries
        let afterNameFlush = hits
        _ = try ask(query("e.example."))
        #expect(hits == afterNameFlush)

        try warm("f.example.")
        reference.replace(with: reference.current)  // config.reload
        let afterReload = hits
        _ = try ask(query("f.example."))
        #expect(hits == afterReload)
    }

    @Test func blocksWithoutACachePluginAreNeverFiled() throws {
        let reference = PipelineReference(Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [upstream])]),
                                          packetCache: PacketCache(clock: clock.function))
        let handler = QueryHandler(pipeline: reference, packetCache: true)
        for _ in 0..<3 { _ = try ask(query("g.example."), using: handler) }
        #expect(reference.packetCache.hits == 0)
        #expect(reference.packetCache.count == 0)
        #expect(upstream.calls == 3)
    }

    @Test func unusualQueriesAreNotFastPathed() throws {
        _ = try ask(query("h.example."))
        _ = try ask(query("h.example."))
        #expect(hits == 1, "the plain repeat is a hit")
        var bytes = query("h.example.")
        bytes[2] |= 0x80  // a response
        #expect(bytes.withUnsafeBytes { PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) } == nil)
        var trailing = query("h.example.")
        trailing.append(0)
        _ = try? ask(trailing)
        var twoQuestions = query("h.example.")
        twoQuestions[5] = 2
        _ = try? ask(twoQuestions)
        #expect(hits == 1, "the unusual ones are not")
    }
}
