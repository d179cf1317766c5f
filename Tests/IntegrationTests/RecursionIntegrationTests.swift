import Foundation
import Testing

/// dnsd as a full recursive resolver (`cache` + `recurse`) against a DNS tree of NSD servers
/// and misbehaving Python servers on loopback (`RecursionHierarchy`).
@Suite struct RecursionIntegrationTests {
    static func servers(_ tree: RecursionHierarchy, extra: String = "") -> String {
        """
          - zones: [.]
            plugins:
              - cache: {}
              - recurse: {hints: "\(tree.hintsPath)", port: \(tree.port), timeout: 400ms, ipv6: false, dnssec: off\(extra)}
        """
    }

    static func records(_ output: DigOutput) -> [String] {
        output.answer.map { "\($0.owner) \($0.type) \($0.rdata)" }
    }

    @Test func walksTheTreeAndAnswersLikeAResolver() throws {
        let tree = try RecursionHierarchy()
        defer { tree.stop() }
        try ForwardDnsd.with(servers: Self.servers(tree)) { dnsd in
            // Plain walk root -> alpha. -> example.alpha.; a resolver's flags: RA, no AA.
            let www = try Dig.query(port: dnsd.port, "www.example.alpha.", "A")
            #expect(www.status == "NOERROR" && www.answers("A") == ["192.0.2.1"], "\(www.raw)")
            #expect(www.flags.contains("ra") && !www.authoritative && www.flags.contains("rd"), "\(www.raw)")
            // The client's own letter case comes back, never the 0x20 pattern sent upstream.
            let mixedCase = try Dig.query(port: dnsd.port, "WwW.ExAmple.ALPHA.", "A")
            #expect(mixedCase.raw.contains("WwW.ExAmple.ALPHA.\t") && mixedCase.answers("A") == ["192.0.2.1"], "\(mixedCase.raw)")
            // Out-of-bailiwick NS without glue: other.alpha. is served by ns.example.beta.
            let other = try Dig.query(port: dnsd.port, "host.other.alpha.", "A")
            #expect(other.answers("A") == ["192.0.2.3"], "\(other.raw)")
            // CNAME into another zone, DNAME, in-zone CNAME, an empty non-terminal (minimisation).
            let alias = try Dig.query(port: dnsd.port, "alias.example.alpha.", "A")
            #expect(Self.records(alias) == ["alias.example.alpha. CNAME www.example.beta.", "www.example.beta. A 192.0.2.2"], "\(alias.raw)")
            let dname = try Dig.query(port: dnsd.port, "www.dn.example.alpha.", "A")
            #expect(dname.answers("DNAME") == ["example.beta."] && dname.answers("CNAME") == ["www.example.beta."]
                    && dname.answers("A") == ["192.0.2.2"], "\(dname.raw)")
            let inzone = try Dig.query(port: dnsd.port, "inzone.example.alpha.", "A")
            #expect(inzone.answers("A") == ["192.0.2.1"] && inzone.answers("CNAME") == ["www.example.alpha."], "\(inzone.raw)")
            let ent = try Dig.query(port: dnsd.port, "host.sub.example.alpha.", "A")
            #expect(ent.answers("A") == ["192.0.2.5"], "\(ent.raw)")
            let mx = try Dig.query(port: dnsd.port, "mail.example.alpha.", "MX")
            #expect(mx.answers("MX") == ["10 www.example.alpha."], "\(mx.raw)")
            // Negative answers carry the zone's SOA (RFC 2308).
            let nx = try Dig.query(port: dnsd.port, "nx.example.alpha.", "A")
            #expect(nx.status == "NXDOMAIN" && nx.authority.contains { $0.type == "SOA" && $0.owner == "example.alpha." }, "\(nx.raw)")
            let nodata = try Dig.query(port: dnsd.port, "www.example.alpha.", "AAAA")
            #expect(nodata.status == "NOERROR" && nodata.answer.isEmpty && nodata.authority.contains { $0.type == "SOA" }, "\(nodata.raw)")
            let dangling = try Dig.query(port: dnsd.port, "dangling.example.alpha.", "A")
            #expect(dangling.status == "NXDOMAIN" && dangling.answers("CNAME") == ["nx.example.beta."]
                    && dangling.authority.contains { $0.owner == "example.beta." }, "\(dangling.raw)")
            let nxTLD = try Dig.query(port: dnsd.port, "www.nonexistent.", "A")
            #expect(nxTLD.status == "NXDOMAIN", "\(nxTLD.raw)")

            // A lame server (REFUSED) and an unreachable one next to a good one: answered.
            for _ in 0..<3 {
                let mixed = try Dig.query(port: dnsd.port, "www.mixed.alpha.", "A", ["+nocookie"])
                #expect(mixed.answers("A") == ["192.0.2.6"], "\(mixed.raw)")
            }
            // Only lame and unreachable servers: SERVFAIL, EDE 22 No Reachable Authority.
            let lame = try Dig.query(port: dnsd.port, "www.alllame.alpha.", "A")
            #expect(lame.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(lame) == 22 && lame.flags.contains("ra"), "\(lame.raw)")

            // A server that drops EDNS queries, one that answers FORMERR to them, one that truncates.
            let noedns = try Dig.query(port: dnsd.port, "www.noedns.alpha.", "A")
            #expect(noedns.answers("A") == ["192.0.2.77"], "\(noedns.raw)")
            #expect(tree.fixtureQueries(20).contains { $0.hasSuffix("noedns") }, "\(tree.fixtureQueries(20))")
            let formerr = try Dig.query(port: dnsd.port, "www.formerr.alpha.", "A")
            #expect(formerr.answers("A") == ["192.0.2.77"], "\(formerr.raw)")
            let truncated = try Dig.query(port: dnsd.port, "www.tc.alpha.", "A")
            #expect(truncated.answers("A") == ["192.0.2.78"], "\(truncated.raw)")
            #expect(tree.fixtureQueries(21).contains { $0.lowercased().contains(" tcp www.tc.alpha. a ") }, "\(tree.fixtureQueries(21))")
            // 0x20: the names sent upstream carry random letter case.
            let sent = (tree.fixtureQueries(20) + tree.fixtureQueries(21)).map { String($0.split(separator: " ")[2]) }
            #expect(sent.contains { $0 != $0.lowercased() }, "\(sent)")
        }
    }

    @Test func limitsStopLoopsBombsAndSlowServers() throws {
        let tree = try RecursionHierarchy()
        defer { tree.stop() }
        let limits = ", max_ns_fetches: 5, max_referrals: 8, max_queries: 60, time_budget: 1500ms"
        try ForwardDnsd.with(servers: Self.servers(tree, extra: limits)) { dnsd in
            // A referral loop: loop.alpha. is served by ns.loop.beta., which is served by
            // ns.loop.alpha.: neither address can ever be found.
            var start = Date()
            let loop = try Dig.query(port: dnsd.port, "www.loop.alpha.", "A")
            #expect(loop.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(loop) != nil, "\(loop.raw)")
            #expect(Date().timeIntervalSince(start) < 2.5)

            // NXNSAttack: bomb.alpha. names 40 glueless NS names under victim.beta.; at most
            // max_ns_fetches of them are looked up, so the victim sees at most that many queries.
            start = Date()
            let bomb = try Dig.query(port: dnsd.port, "www.bomb.alpha.", "A")
            #expect(bomb.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(bomb) == 0
                    && bomb.raw.contains("max_ns_fetches"), "\(bomb.raw)")
            let victim = tree.fixtureQueries(23)
            #expect(!victim.isEmpty && victim.count <= 5, "\(victim)")
            #expect(Date().timeIntervalSince(start) < 2.5)

            // A delegation chain that never ends stops at max_referrals.
            let deepName = (1...40).map { "l\($0)" }.joined(separator: ".") + ".deep.alpha."
            let deep = try Dig.query(port: dnsd.port, deepName, "A")
            #expect(deep.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(deep) == 0
                    && deep.raw.contains("max_referrals"), "\(deep.raw)")
            #expect(tree.fixtureQueries(24).count <= 9, "\(tree.fixtureQueries(24).count)")

            // A server that never answers: retried without EDNS, then the time budget ends it.
            start = Date()
            let blackhole = try Dig.query(port: dnsd.port, "www.blackhole.alpha.", "A")
            let elapsed = Date().timeIntervalSince(start)
            #expect(blackhole.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(blackhole) != nil, "\(blackhole.raw)")
            #expect(elapsed < 2.0, "took \(elapsed) s")
            let sent = tree.fixtureQueries(26)
            #expect(sent.contains { $0.hasSuffix(" edns") } && sent.contains { $0.hasSuffix(" noedns") } && sent.count <= 4, "\(sent)")

            // The resolver still works after all that.
            let www = try Dig.query(port: dnsd.port, "www.example.alpha.", "A")
            #expect(www.answers("A") == ["192.0.2.1"], "\(www.raw)")
        }
    }

    @Test func spoofedRecordsAreNeitherServedNorCachedAndFlushReachesTheRecursor() throws {
        let tree = try RecursionHierarchy()
        defer { tree.stop() }
        try ForwardDnsd.with(servers: Self.servers(tree)) { dnsd in
            let socket = dnsd.controlSocket
            // spoof.alpha.'s server adds www.example.beta. A 6.6.6.6, beta. NS and glue to its answer.
            let spoofed = try Dig.query(port: dnsd.port, "www.spoof.alpha.", "A")
            #expect(spoofed.answers("A") == ["192.0.2.79"] && !spoofed.raw.contains("6.6.6.6"), "\(spoofed.raw)")
            // The poison reached neither the answer cache nor the delegation for beta.
            let lookup = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.beta."])
            #expect(lookup.status == 0 && !lookup.stdout.contains("6.6.6.6"), "\(lookup.transcript)")
            let real = try Dig.query(port: dnsd.port, "www.example.beta.", "A")
            #expect(real.answers("A") == ["192.0.2.2"], "\(real.raw)")
            let cached = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.beta.", "A"])
            #expect(cached.stdout.contains("192.0.2.2") && !cached.stdout.contains("6.6.6.6"), "\(cached.transcript)")

            // cache.stats shows the infrastructure cache; cache.flush empties it with the answers.
            let stats = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.stats"])
            #expect(stats.stdout.contains(#""kind":"infrastructure""#) && !stats.stdout.contains(#""delegations":0"#), "\(stats.transcript)")
            let flush = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.flush"])
            #expect(flush.status == 0, "\(flush.transcript)")
            let after = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.stats"])
            #expect(after.stdout.contains(#""delegations":0"#) && after.stdout.contains(#""addresses":0"#), "\(after.transcript)")
            let again = try Dig.query(port: dnsd.port, "www.example.beta.", "A")
            #expect(again.answers("A") == ["192.0.2.2"], "\(again.raw)")
        }
    }

    /// A zone cut whose servers are all named inside it is useless without their addresses:
    /// when the infrastructure cache lost the glue but kept the cut (evicted when full, or
    /// flushed as here), the recursor asks the parent again, whose referral brings the glue
    /// back, instead of answering SERVFAIL "no address for any of its servers".
    @Test func aCutThatLostItsGlueIsRelearntFromItsParent() throws {
        let tree = try RecursionHierarchy(withFixtures: false)
        defer { tree.stop() }
        try ForwardDnsd.with(servers: Self.servers(tree)) { dnsd in
            let www = try Dig.query(port: dnsd.port, "www.example.alpha.", "A")
            #expect(www.answers("A") == ["192.0.2.1"], "\(www.raw)")
            // Only the address set of example.alpha.'s one server goes; the cut stays.
            let flush = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.flush", "ns1.example.alpha."])
            #expect(flush.status == 0, "\(flush.transcript)")
            let stats = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "cache.stats"])
            #expect(!stats.stdout.contains(#""delegations":0"#), "the cut must still be cached: \(stats.transcript)")
            let mail = try Dig.query(port: dnsd.port, "mail.example.alpha.", "MX")
            #expect(mail.status == "NOERROR" && mail.answers("MX") == ["10 www.example.alpha."], "\(mail.raw)")
        }
    }
}
