import Foundation
import Testing

/// Access rules against a real dnsd with dig bound to distinct loopback sources (127.0.0.2,
/// .3, ...): every path asks the same rules (packet-cache hits, relayed misses, the full plugin
/// chain, TCP), and a refused query never reaches the upstream (counted at the upstream).
@Suite("Access control", .serialized)
struct AccessControlTests {
    /// dig from `source` with a short timeout; nil when no answer came (a drop).
    static func dig(_ port: UInt16, from source: String, _ name: String, _ type: String = "A", _ options: [String] = []) throws -> DigOutput? {
        let dig = try PeerTool.require("dig")
        let arguments = ["@127.0.0.1", "-p", String(port), "-b", source, name, type, "+time=1", "+tries=1", "+nottlunits"] + options
        let result = try PeerTool.run(dig, arguments, timeout: 30)
        guard result.status == 0 else { return nil }
        return try DigOutput(result.stdout)
    }

    static let rules = """
        acl:
          - {allow: [127.0.0.2], name: two}
          - {block: [127.0.0.3], name: three}
          - {drop: [127.0.0.4], name: four}
          - {filter: [127.0.0.5], name: five}
          - {block: [127.0.0.6], types: [AAAA], name: six-aaaa}
        """

    /// relay.test.: a block the UDP workers relay ([cache, forward] without serve-stale);
    /// full.test.: the default cache (serve-stale, prefetch), so the plugin chain answers;
    /// own.test.: its own rule, checked before the top-level ones.
    static func servers(_ upstream: FaultyUpstream) -> String {
        """
          - zones: [relay.test.]
            plugins:
              - cache: {serve_stale: 0, prefetch: false}
              - forward: {to: [\(upstream.url())]}
          - zones: [full.test.]
            plugins:
              - cache: {}
              - forward: {to: [\(upstream.url())]}
          - zones: [own.test.]
            acl:
              - {block: [127.0.0.2], name: own-two}
            plugins:
              - forward: {to: [\(upstream.url())]}
        """
    }

    @Test func everyPathAsksTheSameRules() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: Self.rules) { dnsd in
            let port = dnsd.port
            // Refused before anything is forwarded: relay block, full path, TCP.
            for name in ["a.relay.test.", "a.full.test."] {
                let refused = try #require(try Self.dig(port, from: "127.0.0.3", name))
                #expect(refused.status == "REFUSED" && refused.answer.isEmpty, "\(refused.raw)")
            }
            let overTCP = try #require(try Self.dig(port, from: "127.0.0.3", "b.full.test.", "A", ["+tcp"]))
            #expect(overTCP.status == "REFUSED")
            #expect(upstream.queries.isEmpty, "a refused query reached the upstream: \(upstream.queries)")

            // Allowed: relayed, then answered from the packet cache without the upstream.
            let first = try #require(try Self.dig(port, from: "127.0.0.2", "a.relay.test."))
            #expect(first.status == "NOERROR" && first.answer.count == 1, "\(first.raw)")
            let second = try #require(try Self.dig(port, from: "127.0.0.2", "a.relay.test."))
            #expect(second.status == "NOERROR" && second.answer.count == 1)
            #expect(upstream.queries.filter { $0.hasSuffix("a.relay.test.") }.count == 1, "\(upstream.queries)")
            // The same cached answer is refused to the blocked source, dropped for .4, empty for .5.
            let cachedRefused = try #require(try Self.dig(port, from: "127.0.0.3", "a.relay.test."))
            #expect(cachedRefused.status == "REFUSED" && cachedRefused.answer.isEmpty)
            #expect(try Self.dig(port, from: "127.0.0.4", "a.relay.test.") == nil, "drop sends nothing")
            #expect(try Self.dig(port, from: "127.0.0.4", "c.full.test.", "A", ["+tcp"]) == nil, "drop sends nothing over TCP either")
            let filtered = try #require(try Self.dig(port, from: "127.0.0.5", "a.relay.test."))
            #expect(filtered.status == "NOERROR" && filtered.answer.isEmpty, "\(filtered.raw)")
            // A rule limited to a type.
            let sixA = try #require(try Self.dig(port, from: "127.0.0.6", "a.relay.test.", "A"))
            #expect(sixA.status == "NOERROR" && sixA.answer.count == 1)
            let sixAAAA = try #require(try Self.dig(port, from: "127.0.0.6", "a.relay.test.", "AAAA"))
            #expect(sixAAAA.status == "REFUSED")
            // The full path answers the allowed source; an unmatched loopback source falls to
            // the default, which answers loopback.
            #expect(try #require(try Self.dig(port, from: "127.0.0.2", "d.full.test.")).status == "NOERROR")
            #expect(try #require(try Self.dig(port, from: "127.0.0.1", "e.full.test.")).status == "NOERROR")
            // A block's own rules come first.
            let own = try #require(try Self.dig(port, from: "127.0.0.2", "x.own.test."))
            #expect(own.status == "REFUSED", "\(own.raw)")
            #expect(!upstream.queries.contains { $0.hasSuffix("x.own.test.") })
            #expect(!upstream.queries.contains { $0.hasSuffix("c.full.test.") || $0.hasSuffix("b.full.test.") })

            // Counted per rule, and visible in stats and the query events' source.
            let stats = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "acl.stats"])
            #expect(stats.status == 0 && stats.stdout.contains(#""rule":"three""#), "\(stats.transcript)")
            let blocked = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.get", "acl.rule.three.block"])
            #expect(blocked.stdout.contains("acl.rule.three.block = 4"), "\(blocked.transcript)")
            let dropped = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.get", "acl.drop"])
            #expect(dropped.stdout.contains("acl.drop = 2"), "\(dropped.transcript)")
        }
    }

    @Test func queryEventsSayWhichRuleRefused() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: Self.rules) { dnsd in
            let client = try ControlSocketClient(path: dnsd.controlSocket)
            _ = try client.call(#"{"jsonrpc":"2.0","method":"queries.subscribe","params":{},"id":1}"#)
            _ = try Self.dig(dnsd.port, from: "127.0.0.3", "q.relay.test.")
            _ = try Self.dig(dnsd.port, from: "127.0.0.4", "q.full.test.", "A", ["+tcp"])
            var sources: Set<String> = []
            let deadline = Date().addingTimeInterval(5)
            while sources.count < 2, Date() < deadline, let line = client.readLine() {
                let notification = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let events = (notification?["params"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
                for event in events { sources.insert(event["source"] as? String ?? "") }
            }
            #expect(sources.contains("acl:three") && sources.contains("acl:four"), "\(sources)")
        }
    }

    @Test func reloadChangesTheRulesLive() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: Self.rules) { dnsd in
            #expect(try #require(try Self.dig(dnsd.port, from: "127.0.0.2", "r.relay.test.")).status == "NOERROR")
            let config = try String(contentsOfFile: dnsd.configPath, encoding: .utf8)
                .replacingOccurrences(of: "{allow: [127.0.0.2], name: two}", with: "{block: [127.0.0.2], name: two-now-blocked}")
            try config.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let reload = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
            #expect(reload.status == 0, "\(reload.transcript)")
            let after = try #require(try Self.dig(dnsd.port, from: "127.0.0.2", "r.relay.test."))
            #expect(after.status == "REFUSED", "the cached answer is refused too after the reload\n\(after.raw)")
            // A broken rule is refused with file:line and the running rules stay.
            let broken = config.replacingOccurrences(of: "{drop: [127.0.0.4], name: four}", with: "{drop: [127.0.0.300], name: four}")
            try broken.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let refused = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
            #expect(refused.status == 1 && refused.stderr.contains("dnsd.yaml:") && refused.stderr.contains("127.0.0.300"), "\(refused.transcript)")
            #expect(try #require(try Self.dig(dnsd.port, from: "127.0.0.2", "r.relay.test.")).status == "REFUSED")
        }
    }

    @Test func anyOverUDPGetsTheMinimalAnswer() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: "") { dnsd in
            let minimal = try #require(try Self.dig(dnsd.port, from: "127.0.0.1", "any.full.test.", "ANY", ["+notcp", "+ignore"]))
            #expect(minimal.status == "NOERROR" && minimal.answer.map(\.type) == ["HINFO"], "\(minimal.raw)")
            #expect(minimal.answer.first?.rdata.contains("RFC8482") == true)
            #expect(!upstream.queries.contains { $0.hasSuffix("any.full.test.") }, "\(upstream.queries)")
        }
    }

    @Test func ipv6ClientsMatchIPv6Rules() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let directory = try Fixtures.scratchDirectory("dnsd-acl-v6")
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let settings = "acl:\n  - {block: [\"::1/128\"], name: v6-loopback}\n  - {allow: [127.0.0.0/8], name: v4-loopback}"
        let config = ForwardDnsd.configText(port: port, servers: Self.servers(upstream), settings: settings)
            .replacingOccurrences(of: "listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]",
                                  with: "listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port), \"udp://[::1]:\(port)\", \"tcp://[::1]:\(port)\"]")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        defer { #expect((try? dnsd.stop()) == 0) }
        try dnsd.waitUntilAnswering(probing: "ready.test")
        let dig = try PeerTool.require("dig")
        for transport in ["+notcp", "+tcp"] {
            let result = try PeerTool.run(dig, ["@::1", "-p", String(port), "v6.relay.test.", "A", "+time=2", "+tries=1", transport])
            #expect(try DigOutput(result.stdout).status == "REFUSED", "\(result.transcript)")
        }
        #expect(try #require(try Self.dig(port, from: "127.0.0.2", "v4.relay.test.")).status == "NOERROR")
        #expect(!upstream.queries.contains { $0.hasSuffix("v6.relay.test.") })
    }
}
