import Foundation
import Testing

/// The in-flight caps of the UDP workers (InFlightLimits.swift, docs/access.md) against a
/// random-subdomain flood to an upstream that never answers: the relay's table stays at its
/// cap, the excess is answered SERVFAIL naming it, dnsd's descriptors and memory stay put, and
/// a cached name is answered as fast as ever meanwhile.
@Suite("In-flight limits", .serialized)
struct InFlightLimitsTests {
    /// The cap set for the flood, small enough that a few seconds of it go well past it.
    static let relayCap = 500
    /// What dnsd's RSS may grow by over the flood (docs/access.md gives the per-entry cost).
    static let growthKiB = 32 * 1024
    /// `limits.upstream_sockets` for the flood: the relay's sockets to the black hole, each
    /// holding the queries of a few bursts, stay at this many.
    static let socketCap = 16

    /// A UDP socket on a free loopback port that is never read: a black hole for queries
    /// (no answer, no ICMP unreachable). Ends on its own after two minutes.
    static func blackHole() throws -> (Process, UInt16) {
        let port = try LoopbackPort.free()
        let log = try Fixtures.scratchDirectory("black-hole").appendingPathComponent("out")
        let script = "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
            + "s.bind(('127.0.0.1', \(port))); print('ready', flush=True); time.sleep(120)"
        let process = try PeerTool.launch("/usr/bin/python3", ["-c", script], log: log)
        guard TLSHarness.eventually(timeout: 10, { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("ready") }) else {
            throw IntegrationError("the black-hole socket did not start")
        }
        return (process, port)
    }

    @Test func aUniqueNameFloodAgainstABlackHoleStaysWithinTheRelayCap() throws {
        let (hole, holePort) = try Self.blackHole()
        defer { kill(hole.processIdentifier, SIGKILL) }
        let live = try FaultyUpstream(mode: "answer", address: "192.0.2.7")
        let servers = """
              - zones: [flood.test.]
                plugins:
                  - forward: {to: [udp://127.0.0.1:\(holePort)], timeout: 3s, max_fails: 0}
              - zones: [cached.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(live.url())]}
            """
        try ForwardDnsd.with(servers: servers, settings: "threads: 1\nlimits: {relay_waiting: \(Self.relayCap), upstream_sockets: \(Self.socketCap)}\n") { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            #expect(try FloodWatch.cachedAnswer(dnsd, id: 1) != nil, "the cached name must resolve before the flood")
            var watch = try FloodWatch(dnsd)
            let flood = try FloodWatch.flood(dnsd, name: "flood.test", count: 50000, seconds: 10, wait: 4)
            try watch.watch(flood.process, dnsd: dnsd, control: control, gauge: "relay.waiting")
            let counts = try FloodWatch.counts(of: flood)
            let limits = try control.stats("limits.relay")
            let peak = try control.stats("relay.waiting_peak")["relay.waiting_peak"] ?? -1

            #expect(watch.mostInFlight <= Self.relayCap && peak <= Self.relayCap && peak > 0,
                    "relay.waiting reached \(watch.mostInFlight) (peak \(peak)) over a cap of \(Self.relayCap)")
            #expect((counts["over_limit"] ?? 0) > 10_000, "the excess must be answered SERVFAIL naming the cap: \(counts)")
            #expect((limits["limits.relay_waiting"] ?? 0) >= (counts["over_limit"] ?? 0), "counted in stats.get: \(limits)")
            #expect(watch.peakFiles - watch.baselineFiles <= Self.socketCap + 4, "open files went from \(watch.baselineFiles) to \(watch.peakFiles)")
            #expect(watch.peakRSS - watch.baselineRSS < Self.growthKiB, "RSS grew from \(watch.baselineRSS) KiB to \(watch.peakRSS) KiB")
            #expect(watch.unanswered == 0 && watch.slowest < 0.25, "the cached name: \(watch.unanswered) unanswered, slowest \(watch.slowest) s")
            print("unique-name flood: \(counts); relay.waiting at most \(watch.mostInFlight), peak \(peak); \(watch.summary)")
        }
    }

    /// `recurse.max_concurrent`: resolutions past it are answered at once, SERVFAIL naming the
    /// key, and counted; those within it run (here against a root that never answers).
    @Test func recursionsPastMaxConcurrentAreAnsweredAtOnce() throws {
        let (hole, holePort) = try Self.blackHole()
        defer { kill(hole.processIdentifier, SIGKILL) }
        let directory = try Fixtures.scratchDirectory("dnsd-recurse-cap")
        try ". 3600000 IN NS a.root-servers.net.\na.root-servers.net. 3600000 IN A 127.0.0.1\n"
            .write(to: directory.appendingPathComponent("root.hints"), atomically: true, encoding: .utf8)
        let servers = """
              - zones: [.]
                plugins:
                  - recurse: {hints: root.hints, port: \(holePort), ipv6: false, max_concurrent: 5, dnssec: off}
            """
        try ForwardDnsd.with(servers: servers, directory: directory) { dnsd in
            let sockets = try (0..<20).map { index -> DNSSocket in
                let socket = try DNSSocket.udp(port: dnsd.port, timeout: 1)
                try socket.sendMessage(RawDNS.query(id: UInt16(index), name: "n\(index).example", type: RawDNS.typeA, udpPayloadSize: 1232))
                return socket
            }
            let text = Array("over recurse.max_concurrent".utf8)
            var refusedAtOnce = 0
            for socket in sockets {
                guard let reply = socket.receiveMessage(), let header = RawHeader(reply), header.rcode == 2 else { continue }
                if reply.indices.contains(where: { reply[$0...].starts(with: text) }) { refusedAtOnce += 1 }
            }
            #expect(refusedAtOnce == 15, "20 at once with max_concurrent 5: \(refusedAtOnce) answered SERVFAIL naming the key")
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            #expect(try control.stats("limits.recursions")["limits.recursions"] == 15)
        }
    }
}
