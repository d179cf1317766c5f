import Foundation
import Testing

/// The cache plugin in the real dnsd, seen by dig: in front of a zone, and in front of
/// forward -> NSD with a counting relay in between.
@Suite("Cache (integration)")
struct CacheIntegrationTests {
    static let zoneBlock = """
      - zones: [cached.test.]
        plugins:
          - cache: {max_entries: 1000, max_bytes: 1MiB, prefetch: false}
          - zone:
              inline: |
                @   300 IN SOA ns hostmaster 1 60 60 60 120
                @   300 IN NS  ns
                ns  300 IN A   192.0.2.53
                www 300 IN A   192.0.2.80
    """

    @Test func ttlCountsDownBetweenTwoDigs() throws {
        try ForwardDnsd.with(servers: Self.zoneBlock) { dnsd in
            let first = try Dig.query(port: dnsd.port, "www.cached.test", "A")
            #expect(first.answer.first?.ttl == 300, "\(first.raw)")
            #expect(first.authoritative, "the first answer is the zone's own")
            Thread.sleep(forTimeInterval: 2.2)
            let second = try Dig.query(port: dnsd.port, "WWW.cached.test", "A")
            let ttl = try #require(second.answer.first?.ttl, "\(second.raw)")
            #expect((297...298).contains(ttl), "TTL after 2.2 s in cache: \(ttl)\n\(second.raw)")
            #expect(!second.authoritative, "cached answers do not claim authority")
            #expect(second.answers("A") == ["192.0.2.80"])
            // NXDOMAIN is cached with the SOA's TTL min(300, 120) counting down too.
            let negative = try Dig.query(port: dnsd.port, "nothere.cached.test", "A")
            #expect(negative.status == "NXDOMAIN")
            #expect(negative.authority.first?.ttl == 120)
            Thread.sleep(forTimeInterval: 1.1)
            let negativeAgain = try Dig.query(port: dnsd.port, "nothere.cached.test", "A")
            #expect(negativeAgain.status == "NXDOMAIN")
            #expect((118...119).contains(negativeAgain.authority.first?.ttl ?? 0), "\(negativeAgain.raw)")
        }
    }

    @Test func configErrorsNameFileLineAndKey() throws {
        let directory = try Fixtures.scratchDirectory("cache-config")
        let path = directory.appendingPathComponent("dnsd.yaml").path
        try """
        listen: [udp://127.0.0.1:0]
        servers:
          - zones: [.]
            plugins:
              - cache: {max_bytes: 64 lots}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--check-config", path])
        #expect(result.status != 0)
        let text = result.stdout + result.stderr
        #expect(text.contains("dnsd.yaml:5:"), "\(text)")
        #expect(text.contains("servers[0].plugins[0].cache.max_bytes"), "\(text)")
    }

    /// A slow relay in front of NSD that counts what reaches NSD.
    final class CountingRelay {
        let port: UInt16
        let countURL: URL
        private let process: Process

        init(upstreamPort: UInt16, delay: Double) throws {
            let python = try PeerTool.requirePythonWithDNSPython()
            let directory = try Fixtures.scratchDirectory("relay")
            port = try LoopbackPort.free()
            countURL = directory.appendingPathComponent("count")
            process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [try Fixtures.path("cache_counting_proxy.py"), String(port), String(upstreamPort), String(delay), countURL.path]
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: countURL.path) {
                guard Date() < deadline, process.isRunning else { throw IntegrationError("counting relay did not start") }
                usleep(50_000)
            }
        }

        var count: Int {
            Int(((try? String(contentsOf: countURL, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        }
    }

    @Test func hundredConcurrentQueriesReachNSDOnce() throws {
        try NSDProcess.with { nsd in
            let relay = try CountingRelay(upstreamPort: nsd.port, delay: 0.5)
            let servers = """
              - zones: [example.test.]
                plugins:
                  - cache: {prefetch: false}
                  - forward: {to: [udp://127.0.0.1:\(relay.port)], timeout: 3s}
            """
            // One UDP worker: the relay that serves this block coalesces within its worker
            // (SO_REUSEPORT spreads clients over workers, each asking once).
            try ForwardDnsd.with(servers: servers, settings: "threads: 1\n") { dnsd in
                // 100 clients, each its own socket, all sent before any answer can come back
                // (the relay holds each query 0.5 s).
                let sockets = try (0..<100).map { _ in try DNSSocket.udp(port: dnsd.port, timeout: 5) }
                for (index, socket) in sockets.enumerated() {
                    try socket.sendMessage(RawDNS.query(id: UInt16(index + 1), name: "www.example.test", type: RawDNS.typeA))
                }
                var answered = 0
                for (index, socket) in sockets.enumerated() {
                    if let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == UInt16(index + 1),
                       header.rcode == 0, header.ancount == 1 {
                        answered += 1
                    }
                }
                #expect(answered == 100)
                #expect(relay.count == 1, "queries that reached NSD: \(relay.count)")
                // And later ones come from the cache with the TTL counting down from NSD's 600
                // (asked with the same flags: relayed answers are kept per exact query flags).
                Thread.sleep(forTimeInterval: 1.1)
                let later = try Dig.query(port: dnsd.port, "www.example.test", "A", ["+noedns", "+noadflag"])
                #expect((597...599).contains(later.answer.first?.ttl ?? 0), "\(later.raw)")
                #expect(relay.count == 1)
                // A name NSD does not have is cached negatively: asked twice, sent once.
                _ = try Dig.query(port: dnsd.port, "nothere.example.test", "A")
                let nx = try Dig.query(port: dnsd.port, "nothere.example.test", "A")
                #expect(nx.status == "NXDOMAIN")
                #expect(relay.count == 2)
            }
        }
    }
}
