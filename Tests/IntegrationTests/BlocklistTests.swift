import Foundation
import Testing

/// Blocklists against a real dnsd, asked with dig from distinct loopback sources (groups):
/// hosts, domain and adblock lists, an allowlist, exceptions, the four answers, and every path
/// (packet-cache hits, relayed misses, the full plugin chain, TCP). A blocked name never
/// reaches the upstream (counted at the upstream).
@Suite("Blocklists", .serialized)
struct BlocklistTests {
    static let adsList = """
        # a hosts file as the big lists ship
        0.0.0.0 ads.example.com tracker.example.net
        127.0.0.1 localhost
        ||adblock.example.org^
        @@||good.adblock.example.org^
        ||with-path.example.org/banner^
        plain.example
        *.wild.example

        """

    /// `directory` with the lists written and the `blocklists:` section naming them.
    static func setUp(answer: String = "nxdomain") throws -> (URL, String) {
        let directory = try Fixtures.scratchDirectory("dnsd-blocklists")
        try adsList.write(to: directory.appendingPathComponent("ads.txt"), atomically: true, encoding: .utf8)
        try "allowed.ads.example.com\n".write(to: directory.appendingPathComponent("allow.txt"), atomically: true, encoding: .utf8)
        try "kidsonly.example\n".write(to: directory.appendingPathComponent("kids.txt"), atomically: true, encoding: .utf8)
        let settings = """
            blocklists:
              answer: \(answer)
              ttl: 30s
              lists:
                - {name: ads, file: ads.txt}
                - {name: mine, file: allow.txt, allow: true}
                - {name: kids, file: kids.txt}
              groups:
                - {name: kids, clients: [127.0.0.2/32], lists: [ads, mine, kids]}
                - {name: everyone, lists: [ads, mine]}
            """
        return (directory, settings)
    }

    /// relay.test.: relayed by the UDP workers; full.test.: the full plugin chain (serve-stale).
    static func servers(_ upstream: FaultyUpstream) -> String {
        """
          - zones: [.]
            plugins:
              - cache: {serve_stale: 0, prefetch: false}
              - forward: {to: [\(upstream.url())]}
          - zones: [full.test.]
            plugins:
              - cache: {}
              - forward: {to: [\(upstream.url())]}
        """
    }

    static func dig(_ port: UInt16, _ name: String, _ type: String = "A", from source: String = "127.0.0.1", _ options: [String] = []) throws -> DigOutput {
        try #require(try AccessControlTests.dig(port, from: source, name, type, options))
    }

    static func ctl(_ dnsd: DnsdProcess, _ arguments: [String]) throws -> [String: Any] {
        let result = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json"] + arguments)
        #expect(result.status == 0, "\(result.transcript)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.transcript)")
    }

    @Test func listsBlockOnEveryPathAndNothingReachesTheUpstream() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let (directory, settings) = try Self.setUp()
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: settings, directory: directory) { dnsd in
            let port = dnsd.port
            // Each format, and the names below a rule, in any letter case; twice, so the second
            // asks after a packet-cache fill would have happened.
            for _ in 0..<2 {
                for name in ["ads.example.com.", "deep.ADS.example.com.", "tracker.example.net.", "adblock.example.org.",
                             "plain.example.", "x.wild.example.", "a.full.test.ads.example.com."] {
                    let blocked = try Self.dig(port, name)
                    #expect(blocked.status == "NXDOMAIN" && blocked.answer.isEmpty, "\(name)\n\(blocked.raw)")
                    #expect(ForwardDnsd.extendedErrorCode(blocked) == 15 && blocked.raw.contains("policy:ads"), "\(blocked.raw)")
                }
            }
            #expect(try Self.dig(port, "ads.example.com.", "A", ["+tcp"]).status == "NXDOMAIN")
            #expect(try Self.dig(port, "plain.example.", "AAAA", ["+noedns"]).status == "NXDOMAIN")
            // Not blocked: an allowlist entry and an @@ exception outrank the block; a path rule
            // and `localhost` are not rules; a sibling of a rule is not below it.
            for name in ["allowed.ads.example.com.", "good.adblock.example.org.", "with-path.example.org.", "localhost.",
                         "notads.example.com.", "example.com."] {
                let answered = try Self.dig(port, name)
                #expect(answered.status == "NOERROR" && !answered.answer.isEmpty, "\(name)\n\(answered.raw)")
            }
            // The kids group has one more list; everyone else does not.
            #expect(try Self.dig(port, "kidsonly.example.", from: "127.0.0.2").status == "NXDOMAIN")
            #expect(try Self.dig(port, "kidsonly.example.", from: "127.0.0.3").status == "NOERROR")
            let reached = upstream.queries
            let reachedNames = Set(reached.compactMap { $0.split(separator: " ").last.map { $0.lowercased() } })
            for name in ["ads.example.com.", "deep.ads.example.com.", "tracker.example.net.", "adblock.example.org.", "plain.example.",
                         "x.wild.example.", "a.full.test.ads.example.com."] {
                #expect(!reachedNames.contains(name), "\(name) reached the upstream: \(reached)")
            }
            #expect(reached.contains { $0.hasSuffix("allowed.ads.example.com.") }, "\(reached)")
            #expect(reached.contains { $0.hasSuffix("kidsonly.example.") }, "\(reached)")

            let lists = try Self.ctl(dnsd, ["policy.lists"])
            let ads = try #require((lists["lists"] as? [[String: Any]])?.first { $0["name"] as? String == "ads" })
            #expect(ads["rules"] as? Int == 5 && ads["exceptions"] as? Int == 1 && ads["skipped"] as? Int == 1, "\(ads)")
            #expect(ads["blocked"] as? Int == 16, "\(ads)")
        }
    }

    @Test func nullAnswersGiveTheUnspecifiedAddress() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let (directory, settings) = try Self.setUp(answer: "null")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: settings, directory: directory) { dnsd in
            for options in [[], ["+tcp"], ["+noedns"]] {
                let a = try Self.dig(dnsd.port, "ads.example.com.", "A", options)
                #expect(a.status == "NOERROR" && a.answer.map(\.description) == ["ads.example.com. 30 IN A 0.0.0.0"], "\(a.raw)")
                let aaaa = try Self.dig(dnsd.port, "ads.example.com.", "AAAA", options)
                #expect(aaaa.status == "NOERROR" && aaaa.answer.map(\.description) == ["ads.example.com. 30 IN AAAA ::"], "\(aaaa.raw)")
                let mx = try Self.dig(dnsd.port, "ads.example.com.", "MX", options)
                #expect(mx.status == "NOERROR" && mx.answer.isEmpty, "\(mx.raw)")
            }
        }
    }

    @Test func checkExplainsAndPauseLetsNamesThrough() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let (directory, settings) = try Self.setUp()
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: settings, directory: directory) { dnsd in
            let blocked = try Self.ctl(dnsd, ["policy.check", "x.ads.example.com"])
            #expect(blocked["blocked"] as? Bool == true && blocked["list"] as? String == "ads" && blocked["rule"] as? String == "ads.example.com."
                    && blocked["line"] as? Int == 2 && blocked["group"] as? String == "everyone", "\(blocked)")
            let excepted = try Self.ctl(dnsd, ["policy.check", "allowed.ads.example.com"])
            #expect(excepted["blocked"] as? Bool == false && (excepted["reason"] as? String ?? "").contains("list mine excepts"), "\(excepted)")
            let otherGroup = try Self.ctl(dnsd, ["policy.check", "kidsonly.example", "127.0.0.9"])
            #expect(otherGroup["blocked"] as? Bool == false && (otherGroup["reason"] as? String ?? "").contains("does not apply to group everyone"),
                    "\(otherGroup)")
            let kids = try Self.ctl(dnsd, ["policy.check", "kidsonly.example", "127.0.0.2"])
            #expect(kids["blocked"] as? Bool == true && kids["group"] as? String == "kids", "\(kids)")
            let unknown = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["policy.check", "x.example", "not-an-address"])
            #expect(unknown.status != 0 && unknown.stderr.contains("not an IP address"), "\(unknown.transcript)")

            let paused = try Self.ctl(dnsd, ["policy.pause", "120"])
            #expect(paused["paused"] as? Bool == true && paused["seconds_left"] as? Int == 120, "\(paused)")
            #expect(try Self.dig(dnsd.port, "ads.example.com.").status == "NOERROR")
            #expect(try Self.dig(dnsd.port, "ads.example.com.", "A", ["+tcp"]).status == "NOERROR")
            let whilePaused = try Self.ctl(dnsd, ["policy.check", "ads.example.com"])
            #expect((whilePaused["reason"] as? String ?? "").contains("paused"), "\(whilePaused)")
            _ = try Self.ctl(dnsd, ["policy.resume"])
            // The answer the pause let through is in the packet cache; blocking comes first.
            #expect(try Self.dig(dnsd.port, "ads.example.com.").status == "NXDOMAIN")
        }
    }

    @Test func reloadReadsListsAgainAndABadListKeepsTheOld() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let (directory, settings) = try Self.setUp()
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: settings, directory: directory) { dnsd in
            #expect(try Self.dig(dnsd.port, "new.example.").status == "NOERROR")
            try (Self.adsList + "new.example\n").write(to: directory.appendingPathComponent("ads.txt"), atomically: true, encoding: .utf8)
            let reload = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
            #expect(reload.status == 0, "\(reload.transcript)")
            #expect(try Self.dig(dnsd.port, "new.example.").status == "NXDOMAIN", "the cached answer is blocked after the reload")
            // A list that cannot be read refuses the reload, with the file and line of its entry.
            let config = try String(contentsOfFile: dnsd.configPath, encoding: .utf8)
            try config.replacingOccurrences(of: "file: kids.txt", with: "file: missing.txt")
                .write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let refused = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
            #expect(refused.status == 1 && refused.stderr.contains("dnsd.yaml:") && refused.stderr.contains("missing.txt"), "\(refused.transcript)")
            #expect(try Self.dig(dnsd.port, "new.example.").status == "NXDOMAIN")
            #expect(try Self.dig(dnsd.port, "kidsonly.example.", from: "127.0.0.2").status == "NXDOMAIN")
        }
    }

    /// A name of the site's own domain whose CNAME points into a blocked tracker domain is
    /// blocked on the relay and on the full path, for the clients the list applies to, and its
    /// answer is never served from the packet cache to them after another client got it.
    @Test func cnameChainsThroughABlockedNameAreBlocked() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-cloaking")
        let zone = directory.appendingPathComponent("example.test.zone")
        try """
            $ORIGIN example.test.
            $TTL 300
            @ SOA ns hostmaster 1 3600 600 86400 300
            @ NS ns
            ns A 127.0.0.1
            metrics.shop CNAME t.tracker
            metrics.relay CNAME t.tracker
            t.tracker A 192.0.2.9
            www.shop A 192.0.2.10
            direct.relay CNAME www.shop

            """.write(to: zone, atomically: true, encoding: .utf8)
        let nsd = try NSDProcess(zones: [(origin: "example.test.", file: zone.path)])
        defer { nsd.stop() }
        try nsd.waitUntilAnswering()
        try "tracker.example.test\n".write(to: directory.appendingPathComponent("trackers.txt"), atomically: true, encoding: .utf8)
        let settings = """
            blocklists:
              lists: [{name: trackers, file: trackers.txt}]
              groups:
                - {name: unfiltered, clients: [127.0.0.2/32], lists: []}
                - {name: everyone, lists: [trackers]}
            """
        let servers = """
              - zones: [shop.example.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [udp://127.0.0.1:\(nsd.port)]}
              - zones: [.]
                plugins:
                  - cache: {serve_stale: 0, prefetch: false}
                  - forward: {to: [udp://127.0.0.1:\(nsd.port)]}
            """
        try ForwardDnsd.with(servers: servers, settings: settings, directory: directory) { dnsd in
            for name in ["metrics.shop.example.test.", "metrics.relay.example.test."] {
                for round in 0..<2 {
                    let open = try Self.dig(dnsd.port, name, from: "127.0.0.2")
                    #expect(open.status == "NOERROR" && open.answer.map(\.type) == ["CNAME", "A"], "round \(round) \(name)\n\(open.raw)")
                    let blocked = try Self.dig(dnsd.port, name)
                    #expect(blocked.status == "NXDOMAIN" && blocked.answer.isEmpty && blocked.raw.contains("policy:trackers"),
                            "round \(round) \(name)\n\(blocked.raw)")
                    #expect(try Self.dig(dnsd.port, name, "A", ["+tcp"]).status == "NXDOMAIN")
                }
            }
            let direct = try Self.dig(dnsd.port, "direct.relay.example.test.")
            #expect(direct.status == "NOERROR" && direct.answer.count == 2, "\(direct.raw)")
        }
    }
}
