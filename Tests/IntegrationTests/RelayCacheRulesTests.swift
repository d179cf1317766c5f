import Foundation
import Testing

/// The cache's rules around expiry kept on the UDP fast path (FastPathStep.swift): a block of
/// `cache` with its defaults (serve-stale, prefetch) in front of a UDP `forward` is relayed,
/// and the relay serves stale answers when the upstream fails or is slow, prefetches popular
/// entries, answers optimistically and keeps SERVFAIL for `servfail_ttl`, as the full path's
/// `cache` plugin does. A `hosts` plugin in front sends only its own names down the full path.
/// Short TTLs (`max_ttl`) make entries expire within a test; the faulty-upstream fixture logs
/// every query it gets, so each test can tell a refresh from a hit.
@Suite("cache rules on the UDP relay", .serialized)
struct RelayCacheRulesTests {
    private func block(_ upstream: FaultyUpstream, cache: String, plugins: String = "") -> String {
        """
          - zones: [.]
            plugins:
        \(plugins)      - cache: {\(cache)}
              - forward: {to: [\(upstream.url())], timeout: 2s}
        """
    }

    private func cacheStats(_ dnsd: DnsdProcess) throws -> [String: Any] {
        let stats = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.stats"])
        let decoded = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8))
        // One object per cache plugin, or the object itself.
        if let list = decoded as? [[String: Any]], let first = list.first { return first }
        return try #require(decoded as? [String: Any], "\(stats.transcript)")
    }

    private func counter(_ stats: [String: Any], _ key: String) -> Int {
        if let value = stats[key] as? Int { return value }
        for case let nested as [String: Any] in stats.values { if let value = nested[key] as? Int { return value } }
        return -1
    }

    @Test("a cache with its defaults in front of a UDP forward is relayed")
    func defaultsAreRelayed() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.21")
        try ForwardDnsd.with(servers: block(upstream, cache: "")) { dnsd in
            #expect(dnsd.stderr.contains("udp_relay=."), "cache: {} + forward must be relayed:\n\(dnsd.stderr)")
            let answer = try Dig.query(port: dnsd.port, "www.defaults.example", "A")
            #expect(answer.answers("A") == ["192.0.2.21"], "\(answer.raw)")
            let lookup = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.lookup", "www.defaults.example."])
            #expect(lookup.stdout.contains(#""kind":"packet""#) && !lookup.stdout.contains(#""kind":"positive""#),
                    "the relay, not the plugin chain, answered: \(lookup.transcript)")
        }
    }

    @Test("an expired answer is served stale (EDE 3) when the upstream's port is closed, then when it is silent past stale_timeout")
    func staleWhenTheUpstreamFails() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.22")
        let port = upstream.port
        try ForwardDnsd.with(servers: block(upstream, cache: "max_ttl: 1, stale_ttl: 7, stale_timeout: 300ms")) { dnsd in
            let fresh = try Dig.query(port: dnsd.port, "www.stale.example", "A")
            #expect(fresh.answers("A") == ["192.0.2.22"] && !fresh.raw.contains("Stale Answer"), "\(fresh.raw)")
            Thread.sleep(forTimeInterval: 1.5)
            upstream.stop()

            let refused = try Dig.query(port: dnsd.port, "www.stale.example", "A")
            #expect(refused.status == "NOERROR" && refused.answers("A") == ["192.0.2.22"], "closed port: \(refused.raw)")
            #expect(refused.raw.contains("EDE: 3 (Stale Answer)"), "extended error 3 for an EDNS client: \(refused.raw)")
            #expect(refused.answer.allSatisfy { $0.ttl <= 7 }, "stale_ttl 7: \(refused.raw)")

            // Now an upstream that takes the query and never answers, on the same port.
            let silent = try FaultyUpstream(mode: "drop", port: port)
            let started = Date()
            let slow = try Dig.query(port: dnsd.port, "www.stale.example", "A")
            let waited = Date().timeIntervalSince(started)
            #expect(slow.answers("A") == ["192.0.2.22"] && slow.raw.contains("Stale Answer"), "silent upstream: \(slow.raw)")
            #expect(waited < 1.8, "served after stale_timeout (300ms), not after the forward timeout (2s): \(waited) s")
            #expect(silent.queries.contains("udp www.stale.example."), "the relay still asked the upstream: \(silent.queries)")
            #expect(counter(try cacheStats(dnsd), "stale_served") >= 2, "cache.stats counts relayed stale answers")
        }
    }

    @Test("a popular entry is refreshed before it expires (prefetch), and clients never miss")
    func prefetchRefreshesPopularEntries() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.23")
        try ForwardDnsd.with(servers: block(upstream, cache: "max_ttl: 4, min_ttl: 4, prefetch_hits: 2, serve_stale: 0")) { dnsd in
            let filed = Date()
            _ = try Dig.query(port: dnsd.port, "hot.prefetch.example", "A")
            _ = try Dig.query(port: dnsd.port, "hot.prefetch.example", "A")
            _ = try Dig.query(port: dnsd.port, "hot.prefetch.example", "A")
            #expect(upstream.queries.count == 1, "two hits: \(upstream.queries)")
            // Asked every 100 ms from 3 s on, a hit in the last tenth of the 4 s TTL refreshes it.
            Thread.sleep(forTimeInterval: max(0, 3 - Date().timeIntervalSince(filed)))
            var refreshedAt: Date?
            while refreshedAt == nil && Date().timeIntervalSince(filed) < 6 {
                let due = try Dig.query(port: dnsd.port, "hot.prefetch.example", "A")
                #expect(due.answers("A") == ["192.0.2.23"], "\(due.raw)")
                if upstream.queries.count >= 2 { refreshedAt = Date() } else { usleep(100_000) }
            }
            #expect(refreshedAt != nil, "no refresh: \(upstream.queries)")
            // serve_stale 0: a query after expiry would be a miss, not a prefetch.
            #expect(counter(try cacheStats(dnsd), "prefetches") >= 1, "cache.stats counts the relay's prefetch")
            // The refreshed entry answers from now on: no miss.
            Thread.sleep(forTimeInterval: 1)
            let after = try Dig.query(port: dnsd.port, "hot.prefetch.example", "A")
            #expect(after.answers("A") == ["192.0.2.23"], "\(after.raw)")
            #expect(upstream.queries.count == 2, "answered from the refreshed entry: \(upstream.queries)")
        }
    }

    @Test("optimistic: an expired answer is sent at once and refreshed behind it")
    func optimisticAnswersAtOnce() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.24")
        try ForwardDnsd.with(servers: block(upstream, cache: "max_ttl: 1, optimistic: true, prefetch: false")) { dnsd in
            _ = try Dig.query(port: dnsd.port, "www.optimistic.example", "A")
            Thread.sleep(forTimeInterval: 1.5)
            let stale = try Dig.query(port: dnsd.port, "www.optimistic.example", "A")
            #expect(stale.answers("A") == ["192.0.2.24"] && stale.raw.contains("Stale Answer"), "\(stale.raw)")
            let deadline = Date().addingTimeInterval(2)
            while upstream.queries.count < 2 && Date() < deadline { usleep(20_000) }
            #expect(upstream.queries.count == 2, "the stale answer starts one refresh: \(upstream.queries)")
            let refreshed = try Dig.query(port: dnsd.port, "www.optimistic.example", "A")
            #expect(refreshed.answers("A") == ["192.0.2.24"] && !refreshed.raw.contains("Stale Answer"), "\(refreshed.raw)")
        }
    }

    @Test("servfail_ttl keeps an upstream's SERVFAIL on the relay")
    func servfailIsKeptForItsTTL() throws {
        let upstream = try FaultyUpstream(mode: "servfail")
        try ForwardDnsd.with(servers: block(upstream, cache: "servfail_ttl: 30s")) { dnsd in
            #expect(dnsd.stderr.contains("udp_relay=."), "\(dnsd.stderr)")
            let first = try Dig.query(port: dnsd.port, "broken.servfail.example", "A")
            let second = try Dig.query(port: dnsd.port, "broken.servfail.example", "A")
            #expect(first.status == "SERVFAIL" && second.status == "SERVFAIL", "\(first.raw)\n\(second.raw)")
            #expect(upstream.queries == ["udp broken.servfail.example."], "the second SERVFAIL came from the cache: \(upstream.queries)")
        }
    }

    @Test("hosts in front: only its names take the full path, the rest are relayed")
    func hostsClaimsOnlyItsNames() throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.25")
        let hosts = "      - hosts: {inline: [\"192.0.2.99 printer.lan\"]}\n"
        try ForwardDnsd.with(servers: block(upstream, cache: "", plugins: hosts)) { dnsd in
            #expect(dnsd.stderr.contains("udp_relay=."), "hosts with fallthrough keeps the block relayed:\n\(dnsd.stderr)")
            let printer = try Dig.query(port: dnsd.port, "printer.lan", "A")
            #expect(printer.answers("A") == ["192.0.2.99"] && printer.authoritative, "\(printer.raw)")
            let other = try Dig.query(port: dnsd.port, "www.hosts.example", "A")
            #expect(other.answers("A") == ["192.0.2.25"], "\(other.raw)")
            #expect(upstream.queries == ["udp www.hosts.example."], "hosts' name never went upstream: \(upstream.queries)")
            let lookup = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.lookup", "www.hosts.example."])
            #expect(lookup.stdout.contains(#""kind":"packet""#), "relayed: \(lookup.transcript)")
        }
    }
}

/// `forward: {ecs: {mode: add}}` on the relay: each client's subnet goes upstream, an answer
/// scoped to it reaches that subnet only, and answers good for every subnet (scope 0) are kept.
@Suite("client subnet on the UDP relay", .serialized)
struct RelayClientSubnetTests {
    @Test("each client's /24 goes upstream; scoped answers are not shared, scope-0 answers are cached")
    func clientSubnetIsAdded() throws {
        let upstream = try FaultyUpstream(mode: "ecs")
        let servers = """
              - zones: [.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(upstream.url())], ecs: {mode: add, ipv4_prefix: 24}}
            """
        try ForwardDnsd.with(servers: servers) { dnsd in
            #expect(dnsd.stderr.contains("udp_relay=."), "ecs add is relayed:\n\(dnsd.stderr)")
            let first = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.5.9", "geo.ecs.example."))
            let second = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.6.9", "geo.ecs.example."))
            #expect(first.answers("A") == ["127.0.5.0"], "the upstream saw 127.0.5.0/24: \(first.raw)")
            #expect(second.answers("A") == ["127.0.6.0"], "another subnet gets its own answer: \(second.raw)")
            #expect(!first.raw.contains("CLIENT-SUBNET"), "a client that sent no ECS gets none back: \(first.raw)")
            let again = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.5.9", "geo.ecs.example."))
            #expect(again.answers("A") == ["127.0.5.0"], "\(again.raw)")
            #expect(upstream.queries.filter { $0 == "udp geo.ecs.example." }.count == 3, "scoped answers are not cached: \(upstream.queries)")

            _ = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.5.9", "global.ecs.example."))
            let shared = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.6.9", "global.ecs.example."))
            #expect(shared.answers("A") == ["127.0.5.0"], "a scope-0 answer is for everyone: \(shared.raw)")
            #expect(upstream.queries.filter { $0 == "udp global.ecs.example." }.count == 1, "\(upstream.queries)")
        }
    }
}
