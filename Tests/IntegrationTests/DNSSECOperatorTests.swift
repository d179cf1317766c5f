import Foundation
import Testing

/// The operator's side of validation, on dnsd recursing through `SignedHierarchy`: negative
/// trust anchors (`dnssec.nta.*` through dnsctl: a bogus name answered while one is in force,
/// across `config.reload`, SERVFAIL again once removed), `dnssec.trust_anchors`, the verdicts in
/// `cache.lookup`, `stats.get`, the query log and `/metrics`; and a KeyTrap zone answered
/// SERVFAIL with EDE 6 at a bounded CPU cost while other names keep being answered; the roles
/// of the dnssec.* methods.
@Suite struct DNSSECOperatorTests {
    static func tree() throws -> (SignedHierarchy, UInt16) {
        let port = try LoopbackPort.free()
        return (try SignedHierarchy(port: port, prefix: "127.\(Int.random(in: 100...250)).\(Int.random(in: 1...250))"), port)
    }

    static func ctl(_ dnsd: DnsdProcess, _ arguments: [String]) throws -> Any {
        let result = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json"] + arguments)
        #expect(result.status == 0, "\(result.transcript)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    static func dig(_ dnsd: DnsdProcess, _ name: String) throws -> DigOutput {
        try Dig.query(port: dnsd.port, name, "A", ["+dnssec", "+time=5", "+tries=2"])
    }

    @Test func negativeTrustAnchorsTrustAnchorsAndVerdicts() throws {
        let (tree, port) = try Self.tree()
        defer { tree.stop() }
        let servers = "query_log: {file: queries.jsonl}\n" + MetricsDnsd.zoneBlock + """
              - zones: [.]
                plugins:
                  - cache: {servfail_ttl: 30}
                  - recurse: {hints: "\(tree.hintsPath)", trust_anchor_file: "\(tree.anchorPath)", port: \(port), timeout: 400ms, ipv6: false}

            """
        try MetricsDnsd.with(servers: servers) { metrics in
            let dnsd = metrics.dnsd
            let bogus = try Self.dig(dnsd, "www.forged.secure.")
            #expect(bogus.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(bogus) == 6, "\(bogus.raw)")
            let secure = try Self.dig(dnsd, "www.good.secure.")
            #expect(secure.status == "NOERROR" && secure.flags.contains("ad"), "\(secure.raw)")
            let insecure = try Self.dig(dnsd, "www.unsigned.secure.")
            #expect(insecure.status == "NOERROR" && !insecure.flags.contains("ad"), "\(insecure.raw)")

            // cache.lookup shows each entry's verdict, and why the bogus one is bogus.
            func cached(_ name: String) throws -> [[String: Any]] {
                try #require(try Self.ctl(dnsd, ["cache.lookup", name, "A"]) as? [[String: Any]])
            }
            let bogusEntry = try cached("www.forged.secure.").first { $0["kind"] as? String == "servfail" }
            #expect(bogusEntry?["dnssec"] as? String == "bogus", "\(String(describing: bogusEntry))")
            #expect((bogusEntry?["dnssec_reason"] as? String)?.contains("does not verify") == true, "\(String(describing: bogusEntry))")
            #expect(try cached("www.good.secure.").contains { $0["dnssec"] as? String == "secure" })
            #expect(try cached("www.unsigned.secure.").contains { $0["dnssec"] as? String == "insecure" })

            // The anchors in force: the tree's root DS set, from its file.
            let anchors = try #require(try Self.ctl(dnsd, ["dnssec.trust_anchors"]) as? [[String: Any]])
            #expect(!anchors.isEmpty && anchors.allSatisfy {
                $0["owner"] as? String == "." && $0["type"] as? String == "DS" && $0["source"] as? String == tree.anchorPath
                    && $0["algorithm"] as? Int == 13 && ($0["key_tag"] as? Int ?? 0) > 0
            }, "\(anchors)")

            // An NTA: the cached SERVFAIL goes at once, the forged answer comes without AD.
            let added = try #require(try Self.ctl(dnsd, ["dnssec.nta.add", "forged.secure", "10m"]) as? [String: Any])
            #expect(added["name"] as? String == "forged.secure." && (590...600).contains(added["seconds_left"] as? Int ?? 0)
                    && (added["flushed"] as? Int ?? 0) >= 1, "\(added)")
            let forgiven = try Self.dig(dnsd, "www.forged.secure.")
            #expect(forgiven.status == "NOERROR" && forgiven.answers("A") == ["192.0.2.66"] && !forgiven.flags.contains("ad"), "\(forgiven.raw)")
            #expect(try cached("www.forged.secure.").contains { $0["dnssec"] as? String == "insecure" })
            // Names outside the NTA are still validated.
            #expect(try Self.dig(dnsd, "www.expired.secure.").status == "SERVFAIL")

            // It survives config.reload.
            #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"]).status == 0)
            let listed = try #require(try Self.ctl(dnsd, ["dnssec.nta.list"]) as? [[String: Any]])
            #expect(listed.count == 1 && listed.first?["name"] as? String == "forged.secure." && listed.first?["expires"] is String, "\(listed)")
            #expect(try Self.dig(dnsd, "www.forged.secure.").status == "NOERROR")

            // Bad durations are refused with the reason.
            for duration in ["2w", "0", "soon"] {
                let refused = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["dnssec.nta.add", "x.secure", duration])
                #expect(refused.status != 0 && refused.stderr.contains("1s to 1w"), "\(duration): \(refused.transcript)")
            }

            // Removed: validation applies again (the unvalidated copy in the cache is dropped).
            let removed = try #require(try Self.ctl(dnsd, ["dnssec.nta.remove", "forged.secure."]) as? [String: Any])
            #expect(removed["removed"] as? Bool == true, "\(removed)")
            let again = try Self.dig(dnsd, "www.forged.secure.")
            #expect(again.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(again) == 6, "\(again.raw)")
            #expect((try Self.ctl(dnsd, ["dnssec.nta.list"]) as? [Any])?.isEmpty == true)

            // The counters: stats.get and /metrics agree.
            let stats = try #require(try Self.ctl(dnsd, ["stats.get", "dnssec."]) as? [String: Int])
            #expect((stats["dnssec.secure"] ?? 0) >= 1 && (stats["dnssec.bogus"] ?? 0) >= 3 && (stats["dnssec.insecure"] ?? 0) >= 2
                    && stats["dnssec.budget_exhausted"] == 0, "\(stats)")
            let scraped = try metrics.scrape()
            for result in ["secure", "insecure", "bogus"] {
                #expect(scraped["dnsd_dnssec_validations_total{result=\"\(result)\"}"].map(Int.init) == stats["dnssec.\(result)"],
                        "\(result)\n\(scraped.text)")
            }
            #expect(scraped["dnsd_dnssec_budget_exhausted_total"] == 0, "\(scraped.text)")

            // The query log carries the verdict and, for bogus, the reason.
            let log = dnsd.directory.appendingPathComponent("queries.jsonl").path
            var lines: [[String: Any]] = []
            for _ in 0..<50 {
                lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                if lines.contains(where: { $0["name"] as? String == "www.unsigned.secure." }) { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            let forgedLine = lines.first { $0["name"] as? String == "www.forged.secure." }
            #expect(forgedLine?["dnssec"] as? String == "bogus" && (forgedLine?["dnssec_reason"] as? String)?.isEmpty == false,
                    "\(String(describing: forgedLine))")
            #expect(lines.contains { $0["name"] as? String == "www.good.secure." && $0["dnssec"] as? String == "secure" }, "\(lines)")
        }
    }

    /// utime + stime of `pid` in seconds (/proc/PID/stat fields 14 and 15, in clock ticks).
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) is in parentheses and may hold spaces: count after it.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (Double(fields[11])! + Double(fields[12])!) / ticks
    }

    @Test func keyTrapZoneIsBogusWithinTheBudget() throws {
        let (tree, port) = try Self.tree()
        defer { tree.stop() }
        try ForwardDnsd.with(servers: DNSSECValidationTests.servers(tree, port: port)) { dnsd in
            #expect(try Self.dig(dnsd, "www.good.secure.").flags.contains("ad"))
            let before = try Self.cpuSeconds(dnsd.process.processIdentifier)
            // No cache in front: every query validates the trap again.
            for round in 0..<30 {
                let trapped = try Self.dig(dnsd, "www.keytrap.secure.")
                #expect(trapped.status == "SERVFAIL" && ForwardDnsd.extendedErrorCode(trapped) == 6, "round \(round)\n\(trapped.raw)")
                let other = try Self.dig(dnsd, "mail.good.secure.")
                #expect(other.status == "NOERROR" && other.flags.contains("ad"), "round \(round)\n\(other.raw)")
            }
            let spent = try Self.cpuSeconds(dnsd.process.processIdentifier) - before
            // The budget holds a trapped query to 32 signature checks (8 RRSIGs x 4 keys); trying
            // every key for every signature would be 50 x 50 per query, 75,000 for the 30.
            #expect(spent < 2.0, "dnsd spent \(spent) s of CPU on 30 KeyTrap queries")
            let stats = try #require(try Self.ctl(dnsd, ["stats.get", "dnssec.bogus"]) as? [String: Int])
            #expect((stats["dnssec.bogus"] ?? 0) >= 30, "\(stats)")
        }
    }

    /// NTAs are changed by admins only; listing them is read-only. Without a validating
    /// `recurse` plugin every dnssec.* method says so.
    @Test func ntaRolesAndNoValidator() throws {
        let (dnsd, socket) = try ControlPlaneTests.start(control: #"{socket: control.sock, mode: "0666", readers: {users: ["65533"]}}"#)
        defer { #expect((try? dnsd.stop()) == 0) }
        chmod(dnsd.directory.path, 0o755)
        let refused = try ControlPlaneTests.dnsctl(socket, ["dnssec.nta.add", "example.com"], as: "65533")
        #expect(refused.status == 1 && refused.stderr.contains("read-only"), "\(refused.transcript)")
        for method in ["dnssec.nta.list", "dnssec.trust_anchors"] {
            let listed = try ControlPlaneTests.dnsctl(socket, [method], as: "65533")
            #expect(listed.status == 1 && listed.stderr.contains("no server block has a recurse plugin with dnssec: validate"),
                    "\(method): \(listed.transcript)")
        }
    }
}
