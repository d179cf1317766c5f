import Foundation
import Testing

/// The UDP workers' relay (Sources/Resolver/Relay) in the real dnsd: for a `[cache, forward]`
/// block without serve-stale or prefetch, a UDP miss goes from the worker to the upstream and
/// back, and the answer is kept in the packet cache by the cache's rules. The faulty-upstream
/// fixture logs every query it gets, so each test can count what reached it. (The forward fault
/// tests run on `[forward]` blocks, which are relayed too: failover, forged answers, TC=1 and
/// all-upstreams-down go through the relay there.)
@Suite("UDP relay in dnsd", .serialized)
struct UDPRelayTests {
    private func block(_ upstream: FaultyUpstream, cache: String = "serve_stale: 0, prefetch: false", forward: String = "timeout: 1s") -> String {
        """
          - zones: [.]
            plugins:
              - cache: {\(cache)}
              - forward: {to: [\(upstream.url())], \(forward)}
        """
    }

    @Test("relayed answers are kept by the cache's rules (max_ttl, AA) and cache.flush voids them")
    func filedByCacheRules() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.11")
        try ForwardDnsd.with(servers: block(upstream, cache: "serve_stale: 0, prefetch: false, max_ttl: 30")) { dnsd in
            let first = try Dig.query(port: dnsd.port, "www.relay.example", "A")
            let second = try Dig.query(port: dnsd.port, "www.relay.example", "A")
            for answer in [first, second] {
                #expect(answer.status == "NOERROR" && answer.answers("A") == ["192.0.2.11"], "\(answer.raw)")
                #expect(answer.answer.allSatisfy { $0.ttl <= 30 }, "max_ttl 30 not applied (upstream TTL 60):\n\(answer.raw)")
                #expect(!answer.authoritative && answer.flags.contains("ra"), "\(answer.raw)")
            }
            #expect(upstream.queries == ["udp www.relay.example."], "the second query should be a packet-cache hit: \(upstream.queries)")
            #expect(dnsd.stderr.contains("udp_relay=."), "the start-up line names the relayed zones:\n\(dnsd.stderr)")
            let socket = dnsd.controlSocket
            let upstreams = try ControlPlaneTests.dnsctl(socket, ["--json", "upstream.list"])
            #expect(upstreams.stdout.contains(#""queries":1"#), "the relayed query is counted for its upstream: \(upstreams.stdout)")
            // A loopback round trip takes well under 100 ms (this once read 1000x too high).
            let listed = try JSONSerialization.jsonObject(with: Data(upstreams.stdout.utf8)) as? [[String: Any]]
            let rtt = try #require(listed?.first?["srtt_ms"] as? Double, "\(upstreams.stdout)")
            #expect(rtt >= 0 && rtt < 100, "srtt_ms \(rtt) for a loopback upstream")
            // The relay keeps wire answers only (kind packet); the full path's cache has none.
            let lookup = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.relay.example."])
            #expect(lookup.stdout.contains(#""kind":"packet""#) && lookup.stdout.contains("192.0.2.11")
                    && !lookup.stdout.contains(#""kind":"positive""#), "\(lookup.transcript)")

            #expect(try ControlPlaneTests.dnsctl(socket, ["cache.flush"]).status == 0)
            #expect(try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.relay.example."]).stdout == "[]\n")
            let afterFlush = try Dig.query(port: dnsd.port, "www.relay.example", "A")
            #expect(afterFlush.answers("A") == ["192.0.2.11"], "\(afterFlush.raw)")
            #expect(upstream.queries.count == 2, "cache.flush must void relayed answers: \(upstream.queries)")
        }
    }

    @Test("negative answers live min(SOA TTL, MINIMUM, negative_ttl); NODATA without an SOA is not kept")
    func negativeAnswers() throws {
        let nxdomain = try FaultyUpstream(mode: "nxdomain")
        try ForwardDnsd.with(servers: block(nxdomain, cache: "serve_stale: 0, prefetch: false, negative_ttl: 45")) { dnsd in
            let first = try Dig.query(port: dnsd.port, "gone.relay.example", "A")
            let second = try Dig.query(port: dnsd.port, "gone.relay.example", "A")
            for answer in [first, second] {
                #expect(answer.status == "NXDOMAIN", "\(answer.raw)")
                #expect(answer.authority.first?.type == "SOA" && (answer.authority.first?.ttl ?? 99) <= 45,
                        "negative_ttl 45 not applied to the SOA (3600):\n\(answer.raw)")
            }
            #expect(nxdomain.queries.count == 1, "\(nxdomain.queries)")
        }
        // The fixture answers AAAA with NOERROR and nothing else: RFC 2308 §5 forbids keeping that.
        let nodata = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: block(nodata)) { dnsd in
            for _ in 0..<2 {
                let answer = try Dig.query(port: dnsd.port, "nodata.relay.example", "AAAA")
                #expect(answer.status == "NOERROR" && answer.answer.isEmpty, "\(answer.raw)")
            }
            #expect(nodata.queries.count == 2, "a NODATA answer without an SOA was cached: \(nodata.queries)")
        }
    }

    @Test("concurrent questions make one upstream query; every client gets its own ID and case")
    func coalescing() throws {
        let upstream = try FaultyUpstream(mode: "delay", address: "192.0.2.12")
        try ForwardDnsd.with(servers: block(upstream)) { dnsd in
            let names = ["same.relay.example", "SAME.relay.example", "Same.Relay.Example", "same.relay.example"]
            // One client socket: SO_REUSEPORT sends all four to the same worker, and coalescing
            // is per worker (each has its own relay).
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 3)
            for (index, name) in names.enumerated() {
                try socket.sendMessage(RawDNS.query(id: UInt16(0x7100 + index), name: name, type: 1, udpPayloadSize: 1232))
            }
            var answered = Set<Int>()
            for _ in names {
                let reply = try #require(socket.receiveMessage(), "answers missing; got \(answered)")
                let header = try #require(RawHeader(reply))
                let index = Int(header.id) - 0x7100
                try #require(names.indices.contains(index), "unexpected ID \(header.id)")
                answered.insert(index)
                #expect(header.rcode == 0 && header.ancount == 1, "\(header)")
                // The question goes back as each client spelled it (0x20 clients check it).
                let asked = RawDNS.name(names[index])
                #expect(Array(reply[12..<(12 + asked.count)]) == asked, "query \(index) got another spelling back")
            }
            #expect(answered.count == names.count)
            #expect(upstream.queries == ["udp same.relay.example."], "\(upstream.queries)")
        }
    }

    @Test("a block with a plugin that needs a parsed message (forward with except) keeps the full path")
    func fullPathPluginsAreNotRelayed() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: block(upstream, cache: "prefetch: false", forward: "timeout: 1s, except: [corp.example.]")) { dnsd in
            let answer = try Dig.query(port: dnsd.port, "stale.relay.example", "A")
            #expect(answer.answers("A") == ["192.0.2.1"], "\(answer.raw)")
            let lookup = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.lookup", "stale.relay.example."])
            #expect(lookup.stdout.contains(#""kind":"positive""#), "the full path's cache plugin should hold it: \(lookup.transcript)")
            #expect(dnsd.stderr.contains("udp_relay=-"), "\(dnsd.stderr)")
        }
    }

    @Test("config.reload turns the relay on for a block that now qualifies, and logs it")
    func reloadRebuildsTheRoutes() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: block(upstream, forward: "timeout: 1s, except: [corp.example.]")) { dnsd in
            let socket = dnsd.controlSocket
            _ = try Dig.query(port: dnsd.port, "before.relay.example", "A")
            let before = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "before.relay.example."])
            #expect(before.stdout.contains(#""kind":"positive""#), "except: the plugin chain answered: \(before.transcript)")

            try ForwardDnsd.configText(port: dnsd.port, servers: block(upstream))
                .write(toFile: dnsd.directory.appendingPathComponent("dnsd.yaml").path, atomically: true, encoding: .utf8)
            let reload = try ControlPlaneTests.dnsctl(socket, ["config.reload"])
            #expect(reload.status == 0, "\(reload.transcript)")
            _ = try Dig.query(port: dnsd.port, "after.relay.example", "A")
            let after = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "after.relay.example."])
            #expect(after.stdout.contains(#""kind":"packet""#) && !after.stdout.contains(#""kind":"positive""#),
                    "no except after the reload: the relay answered: \(after.transcript)")
            #expect(dnsd.stderr.contains("configuration reloaded") && dnsd.stderr.contains("udp_relay=."), "\(dnsd.stderr)")
        }
    }

    @Test("an upstream whose port is closed is failed over at once, not at its timeout")
    func closedPortFailsOverAtOnce() throws {
        // Nothing listens on `closed`: the kernel answers the relay's query with an ICMP port
        // unreachable, which its connected socket reports as ECONNREFUSED.
        let closed = try LoopbackPort.free()
        let live = try FaultyUpstream(mode: "answer", address: "192.0.2.44")
        let servers = """
          - zones: [.]
            plugins:
              - cache: {serve_stale: 0, prefetch: false}
              - forward: {to: [udp://127.0.0.1:\(closed), \(live.url())], policy: sequential, timeout: 5s}
        """
        try ForwardDnsd.with(servers: servers) { dnsd in
            let start = Date()
            let answer = try Dig.query(port: dnsd.port, "refused.relay.example", "A")
            let elapsed = Date().timeIntervalSince(start)
            #expect(answer.answers("A") == ["192.0.2.44"], "\(answer.raw)")
            #expect(elapsed < 2, "the answer waited \(elapsed) s: the closed port was not failed over at once")
            #expect(live.queries == ["udp refused.relay.example."], "\(live.queries)")
            let upstreams = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "upstream.list"])
            #expect(upstreams.stdout.contains("port unreachable"), "the failure is not in upstream.list: \(upstreams.stdout)")
        }
    }
}
