import Foundation
import Testing

/// Pre-signed zones served by dnsd's `zone` plugin (RFC 4035 §3.1, RFC 5155 §7.2), in the tree
/// `SignedHierarchy` signs with BIND's signer: dnsd serves secure. (NSEC3, a signed and an
/// unsigned delegation), good.secure. (NSEC, a wildcard, an unsigned child on the same server)
/// and optout. (NSEC3 opt-out), NSD the rest.
///
/// 1. dig asks dnsd and an NSD serving the same signed files the same questions, with and
///    without DO: rcode, AA and every section must match RRset for RRset, and without DO dnsd
///    sends no RRSIG, NSEC or NSEC3 unless asked for that type.
/// 2. Unbound validating from the tree's anchor, resolving through dnsd, gets the rcode and AD
///    of `expectations`, and the same as a second Unbound pointed (stub zones) at the NSDs.
/// 3. dnsctl's zone.add on a signed zone is refused with the reason; on the unsigned child
///    zone it still works.
/// 4. A zone signed by ldns-signzone (NSEC3 opt-out) answers like NSD as well.
@Suite struct SignedZoneServingTests {
    /// The servers dnsd runs in the tree (see SignedHierarchy's table).
    static let dnsdServers: Set<Int> = [2, 3, 8]
    /// Where the reference NSD for server N listens: address(N + offset).
    static let referenceOffset = 100

    /// (server, name, type, what the answer shows)
    static let questions: [(Int, String, String, String)] = [
        (3, "www.good.secure.", "A", "NSEC zone: RRSIG with the answer"),
        (3, "good.secure.", "DNSKEY", "the DNSKEY RRset and its RRSIGs"),
        (3, "good.secure.", "SOA", "the apex"),
        (3, "mail.good.secure.", "MX", "additional addresses"),
        (3, "nx.good.secure.", "A", "NXDOMAIN: covering NSEC and wildcard NSEC"),
        (3, "www.good.secure.", "AAAA", "NODATA: the NSEC at the name"),
        (3, "wild.good.secure.", "A", "NODATA at an empty non-terminal"),
        (3, "host.wild.good.secure.", "A", "wildcard expansion: RRSIG with the wildcard's labels, NSEC for the name"),
        (3, "a.b.wild.good.secure.", "A", "a deeper wildcard expansion"),
        (3, "host.wild.good.secure.", "AAAA", "wildcard NODATA"),
        (3, "same.good.secure.", "DS", "no DS for the unsigned child: the parent's NSEC"),
        (3, "www.same.good.secure.", "A", "the unsigned child zone on the same server"),
        (3, "good.secure.", "NSEC", "NSEC asked for by type"),
        (3, "alias.good.secure.", "A", "a CNAME followed in the zone: both RRsets signed"),
        (3, "dangling.good.secure.", "A", "a CNAME to a name that does not exist: NXDOMAIN proof for the target"),
        (2, "www.secure.", "A", "NSEC3 zone: RRSIG with the answer"),
        (2, "secure.", "DNSKEY", "the DNSKEY RRset"),
        (2, "nx.secure.", "A", "NXDOMAIN: closest encloser, next closer, wildcard NSEC3s"),
        (2, "nx.www.secure.", "A", "NXDOMAIN below an existing name"),
        (2, "www.secure.", "TXT", "NODATA: the matching NSEC3"),
        (2, "www.good.secure.", "A", "referral to a signed child: DS and its RRSIG"),
        (2, "www.unsigned.secure.", "A", "referral to an unsigned child: the matching NSEC3"),
        (2, "good.secure.", "DS", "DS at the delegation, from the parent"),
        (2, "unsigned.secure.", "DS", "no DS at the delegation: the matching NSEC3"),
        (8, "www.optout.", "A", "NSEC3 opt-out zone"),
        (8, "nx.optout.", "A", "NXDOMAIN in an opt-out zone"),
        (8, "optout.", "MX", "NODATA at the apex"),
        (8, "www.child.optout.", "A", "referral into an opt-out span: closest encloser and covering NSEC3"),
        (8, "child.optout.", "DS", "no DS in an opt-out span (RFC 5155 §7.2.4)"),
    ]

    /// Names resolved through Unbound: (name, type, rcode, AD).
    static let expectations: [(String, String, String, Bool)] = [
        ("www.good.secure.", "A", "NOERROR", true),
        ("mail.good.secure.", "MX", "NOERROR", true),
        ("nx.good.secure.", "A", "NXDOMAIN", true),
        ("www.good.secure.", "AAAA", "NOERROR", true),
        ("wild.good.secure.", "A", "NOERROR", true),
        ("host.wild.good.secure.", "A", "NOERROR", true),
        ("a.b.wild.good.secure.", "A", "NOERROR", true),
        ("host.wild.good.secure.", "AAAA", "NOERROR", true),
        ("alias.good.secure.", "A", "NOERROR", true),
        ("dangling.good.secure.", "A", "NXDOMAIN", true),
        ("www.same.good.secure.", "A", "NOERROR", false),
        ("www.secure.", "A", "NOERROR", true),
        ("nx.secure.", "A", "NXDOMAIN", true),
        ("nx.www.secure.", "A", "NXDOMAIN", true),
        ("www.secure.", "TXT", "NOERROR", true),
        ("good.secure.", "DS", "NOERROR", true),
        ("unsigned.secure.", "DS", "NOERROR", true),
        ("www.unsigned.secure.", "A", "NOERROR", false),
        ("www.optout.", "A", "NOERROR", true),
        ("optout.", "MX", "NOERROR", true),
        ("www.child.optout.", "A", "NOERROR", false),
        ("www.forged.secure.", "A", "SERVFAIL", false),
    ]

    static let dnssecTypes: Set<String> = ["RRSIG", "NSEC", "NSEC3"]

    /// The additional section without the records of names that the answer's NS, MX and SRV
    /// records point at: NSD's minimal-responses leaves those out, dnsd adds them
    /// (differential.py sets them aside too). Referral glue stays.
    static func requiredAdditional(_ output: DigOutput) -> Set<String> {
        let targets = Set(output.answer.filter { ["NS", "MX", "SRV"].contains($0.type) }
            .compactMap { $0.rdata.split(separator: " ").last?.lowercased() })
        return records(output.additional.filter { !targets.contains($0.owner.lowercased()) })
    }

    /// A section as a set of records, owner names lower-cased: servers may echo the question's case.
    static func records(_ section: [DigRecord]) -> Set<String> {
        Set(section.map { "\($0.owner.lowercased()) \($0.ttl) \($0.recordClass) \($0.type) \($0.rdata)" })
    }

    @Test func servesSignedZonesLikeNSDAndUnboundValidatesThem() throws {
        // Unbound asks servers on port 53 only: the validation part needs the tree there (root).
        let asRoot = geteuid() == 0
        let port: UInt16 = asRoot ? 53 : try LoopbackPort.free()
        let tree = try SignedHierarchy(port: port, prefix: "127.\(asRoot ? 56 : Int.random(in: 100...250)).\(Int.random(in: 1...250))",
                                       servedByDnsd: Self.dnsdServers)
        defer { tree.stop() }
        var references: [RecursionNSD] = []
        defer { RecursionNSD.stopAll(references) }
        for server in Self.dnsdServers.sorted() {
            let zones = tree.servedZones.filter { $0.server == server }.map { ($0.name, $0.text) }
            references.append(try RecursionNSD(address: tree.address(server + Self.referenceOffset), port: port, zones: zones,
                                               directory: tree.directory.appendingPathComponent("reference\(server)")))
        }
        for reference in references { try reference.waitUntilAnswering() }

        try compareWithNSD(tree)
        if asRoot { try validateThroughUnbound(tree) }
        try refuseEditsOfSignedZones(tree)
    }

    /// A zone signed by another signer, ldns-signzone (NSEC3 with opt-out, no salt), served by
    /// dnsd and by NSD: the answers with DO match too.
    @Test func ldnsSignedZoneAnswersLikeNSD() throws {
        let keygen = try PeerTool.require("ldns-keygen")
        let signzone = try PeerTool.require("ldns-signzone")
        let directory = try Fixtures.scratchDirectory("ldns-signed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zonePath = directory.appendingPathComponent("zone").path
        try """
            $ORIGIN ldns.test.
            $TTL 3600
            @ IN SOA ns1 hostmaster 1 3600 900 604800 300
            @ IN NS ns1
            ns1 IN A 192.0.2.53
            www IN A 192.0.2.1
            *.wild IN A 192.0.2.9
            alias IN CNAME www
            sub IN NS ns1.sub
            ns1.sub IN A 192.0.2.3

            """.write(toFile: zonePath, atomically: true, encoding: .utf8)
        // ldns-keygen writes its files into the working directory and prints their base name.
        var keys: [String] = []
        for flags in [["-k"], []] {
            let made = try PeerTool.run("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", directory.path, keygen, "-a", "ECDSAP256SHA256"] + flags + ["ldns.test"])
            guard made.status == 0, let base = made.stdout.split(separator: "\n").first else { throw IntegrationError("ldns-keygen\n\(made.transcript)") }
            keys.append(directory.appendingPathComponent(String(base)).path)
        }
        let signed = try PeerTool.run(signzone, ["-n", "-p", "-s", "", "-o", "ldns.test.", zonePath] + keys)
        guard signed.status == 0 else { throw IntegrationError("ldns-signzone\n\(signed.transcript)") }
        let signedPath = zonePath + ".signed"

        let dnsd = try DnsdProcess.serving(zones: [("ldns.test.", signedPath)], in: directory)
        defer { _ = try? dnsd.stop() }
        let nsd = try RecursionNSD(address: "127.0.0.1", port: try LoopbackPort.free(),
                                   zones: [("ldns.test.", try String(contentsOfFile: signedPath, encoding: .utf8))],
                                   directory: directory.appendingPathComponent("nsd"))
        defer { nsd.stop() }
        try nsd.waitUntilAnswering()
        for (name, type) in [("www.ldns.test.", "A"), ("nx.ldns.test.", "A"), ("www.ldns.test.", "TXT"), ("host.wild.ldns.test.", "A"),
                             ("host.wild.ldns.test.", "AAAA"), ("alias.ldns.test.", "A"), ("www.sub.ldns.test.", "A"),
                             ("sub.ldns.test.", "DS"), ("ldns.test.", "DNSKEY")] {
            let options = ["+norec", "+tcp", "+dnssec"]
            let ours = try Dig.query(port: dnsd.port, name, type, options)
            let reference = try Dig.query(port: nsd.port, name, type, options)
            let label = "\(name) \(type)\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)"
            #expect(ours.status == reference.status && ours.authoritative == reference.authoritative, "\(label)")
            #expect(Self.records(ours.answer) == Self.records(reference.answer), "answer: \(label)")
            #expect(Self.records(ours.authority) == Self.records(reference.authority), "authority: \(label)")
            #expect((ours.answer + ours.authority).contains { $0.type == "RRSIG" }, "DO gets RRSIGs: \(label)")
        }
    }

    private func compareWithNSD(_ tree: SignedHierarchy) throws {
        for (server, name, type, what) in Self.questions {
            for dnssec in [true, false] {
                // TCP: whole answers, however large the RSA signatures make them.
                let options = ["+norec", "+tcp", dnssec ? "+dnssec" : "+nodnssec"]
                let ours = try Dig.query(server: tree.address(server), port: tree.port, name, type, options)
                let reference = try Dig.query(server: tree.address(server + Self.referenceOffset), port: tree.port, name, type, options)
                let label = "\(name) \(type) \(dnssec ? "with" : "without") DO (\(what))\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)"
                #expect(ours.status == reference.status, "\(label)")
                #expect(ours.authoritative == reference.authoritative, "\(label)")
                #expect(Self.records(ours.answer) == Self.records(reference.answer), "answer: \(label)")
                #expect(Self.records(ours.authority) == Self.records(reference.authority), "authority: \(label)")
                #expect(Self.requiredAdditional(ours) == Self.requiredAdditional(reference), "additional: \(label)")
                if dnssec {
                    if ["NOERROR", "NXDOMAIN"].contains(ours.status), server != 3 || !name.hasSuffix("same.good.secure.") {
                        #expect((ours.answer + ours.authority).contains { $0.type == "RRSIG" }, "DO gets RRSIGs: \(label)")
                    }
                } else {
                    let extra = (ours.answer + ours.authority + ours.additional).filter { Self.dnssecTypes.contains($0.type) && $0.type != type }
                    #expect(extra.isEmpty, "no DNSSEC records without DO: \(label)")
                }
            }
        }
    }

    /// Unbound through the tree as it is (dnsd serving three zones) and Unbound sent to the
    /// reference NSDs for those zones by stub zones must agree, and match `expectations`.
    private func validateThroughUnbound(_ tree: SignedHierarchy) throws {
        let viaDnsd = tree.directory.appendingPathComponent("unbound-dnsd")
        let viaNSD = tree.directory.appendingPathComponent("unbound-nsd")
        for directory in [viaDnsd, viaNSD] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        let stubs = tree.servedZones.filter { Self.dnsdServers.contains($0.server) }.map { zone in
            "stub-zone:\n    name: \"\(zone.name)\"\n    stub-addr: \(tree.address(zone.server + Self.referenceOffset))\n"
        }.joined()
        let unbound = try RecursionUnbound(hintsPath: tree.hintsPath, directory: viaDnsd, anchorPath: tree.anchorPath)
        defer { unbound.stop() }
        let reference = try RecursionUnbound(hintsPath: tree.hintsPath, directory: viaNSD, anchorPath: tree.anchorPath, clauses: stubs)
        defer { reference.stop() }
        let options = ["+dnssec", "+time=5", "+tries=2"]
        for (name, type, rcode, ad) in Self.expectations {
            let ours = try Dig.query(port: unbound.port, name, type, options)
            let theirs = try Dig.query(port: reference.port, name, type, options)
            #expect(ours.status == rcode, "\(name) \(type) via dnsd\n\(ours.raw)")
            #expect(ours.flags.contains("ad") == ad, "\(name) \(type) via dnsd: AD\n\(ours.raw)")
            #expect(ours.status == theirs.status && ours.flags.contains("ad") == theirs.flags.contains("ad"),
                    "\(name) \(type): Unbound via dnsd and via NSD differ\n\(ours.raw)\n\(theirs.raw)")
        }
    }

    private func refuseEditsOfSignedZones(_ tree: SignedHierarchy) throws {
        let dnsd = try #require(tree.dnsds[3])
        let dnsctl = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        let socket = dnsd.directory.appendingPathComponent("control.sock").path
        let refused = try PeerTool.run(dnsctl, ["--socket", socket, "zone.add", "good.secure.", "new 300 IN A 192.0.2.77"], timeout: 30)
        #expect(refused.status != 0, "\(refused.transcript)")
        #expect((refused.stdout + refused.stderr).contains("does not support online signing"), "\(refused.transcript)")
        let unchanged = try Dig.query(server: tree.address(3), port: tree.port, "new.good.secure.", "A", ["+norec"])
        #expect(unchanged.status == "NXDOMAIN", "\(unchanged.raw)")

        let accepted = try PeerTool.run(dnsctl, ["--socket", socket, "zone.add", "same.good.secure.", "new 300 IN A 192.0.2.77"], timeout: 30)
        #expect(accepted.status == 0, "an unsigned zone stays editable\n\(accepted.transcript)")
        let added = try Dig.query(server: tree.address(3), port: tree.port, "new.same.good.secure.", "A", ["+norec"])
        #expect(added.answers("A") == ["192.0.2.77"], "\(added.raw)")
    }
}
