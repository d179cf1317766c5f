import DNSProto
import NIOCore
import NIOEmbedded
import Testing
@testable import Resolver

/// The admission step reads raw datagrams with pointers (the COOKIE option, the question's
/// place, the answer's OPT) on the UDP workers' hit path: a sweep of damaged and random
/// queries through it, with cookies, RRL and access rules on, must never crash, and whatever
/// it sends must be a DNS message that parses.
@Suite("Admission under hostile input")
struct AdmissionHostileInputTests {
    let clock = CacheTestClock()
    let loop = EmbeddedEventLoop()
    let reference: PipelineReference
    let handler: QueryHandler

    init() {
        var settings = CacheSettings()
        settings.prefetch = false
        let plugin = CachePlugin(settings: settings, clock: clock.function)
        var admission = AdmissionSettings()
        admission.rules = [AccessRule(name: "drop-doc", action: .drop, clients: [.prefix(IPPrefix("192.0.2.0/24")!)]),
                           AccessRule(name: "filter-aaaa", action: .filter, clients: [.any], types: [RecordType.aaaa.rawValue]),
                           AccessRule(name: "all", action: .allow, clients: [.any])]
        admission.rrl.exempt = []
        admission.rrl.responsesPerSecond = 50
        let pipeline = Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [plugin, ScriptedUpstream()])],
                                admission: AdmissionSetup(settings: admission))
        reference = PipelineReference(pipeline, packetCache: PacketCache(clock: clock.function))
        handler = QueryHandler(pipeline: reference, packetCache: true)
    }

    /// A query for www.example. A with EDNS and a COOKIE option of `cookie`.
    static func query(cookie: [UInt8]) -> [UInt8] {
        var message = ZoneFixture.query("www.example.", .a, edns: EDNS(options: [.cookie(client: Array(cookie.prefix(8)), server: Array(cookie.dropFirst(8)))]))
        message.header.id = 0x1234
        return try! message.encode()
    }

    /// A tiny deterministic generator, so a failure repeats.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    @Test func damagedQueriesNeverCrashTheHitPath() throws {
        let client = ClientAddress(family: 4, high: UInt64(0x7F00_0002) << 32, low: 0)
        let context = QueryContext(client: try SocketAddress(ipAddress: "127.0.0.2", port: 5353), transport: .udp, eventLoop: loop)
        // Fill the packet cache so mutated queries meet real entries too.
        let base = Self.query(cookie: [1, 2, 3, 4, 5, 6, 7, 8])
        if case .pending(let pending) = handler.handle(base, context: context) {
            let bytes = pending.futureResult
            loop.run()
            _ = try bytes.wait()
        }
        var generator = Generator(state: 42)
        var out = [UInt8](repeating: 0, count: 4096)
        var answered = 0
        for round in 0..<60_000 {
            var request = base
            switch round % 4 {
            case 0:  // flip bytes
                for _ in 0...generator.below(4) { request[generator.below(request.count)] ^= UInt8(truncatingIfNeeded: generator.next()) }
            case 1:  // cut short or pad
                request = Array(request.prefix(generator.below(request.count + 1))) + Array(repeating: 0, count: generator.below(3))
            case 2:  // a cookie option of any length
                request = Self.query(cookie: (0..<8).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
                let extra = generator.below(40)
                request[request.count - 2] = UInt8(8 + extra)
                request += (0..<extra).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            default:  // random bytes
                request = (0..<generator.below(64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            var burst = HitBurst(capacity: 4)
            burst.begin(cache: reference.packetCache)
            let lookup = request.withUnsafeBytes { bytes in
                out.withUnsafeMutableBytes {
                    handler.packetLookup(bytes, into: $0, client: client, admission: reference.current.admission, burst: &burst)
                }
            }
            if case .answered(let length) = lookup {
                answered += 1
                #expect(length >= 12 && length <= out.count)
                #expect((try? Message(wire: Array(out[..<length]))) != nil, "an unparsable answer to \(request)")
            }
            // The full path takes the same input (the stream transports' entry point).
            if case .respond(let reply) = handler.handle(request, context: context) {
                #expect((try? Message(wire: reply)) != nil || reply.count >= 12)
            }
        }
        #expect(answered > 0)
    }
}
