import Foundation
import Testing

/// dnsd's `recurse` validating a tree signed at test time by BIND's signer and served by NSD
/// (`SignedHierarchy`), from the tree's own root DS as trust anchor: AD on secure answers,
/// no AD on insecure delegations (NSEC3 without and with opt-out), SERVFAIL with the
/// extended error that says why for a forged record, expired signatures and a DS that names
/// no key; CD returns the unchecked answer. Where the tree can run on port 53 (root), Unbound
/// validates the same tree from the same anchor and must agree on rcode and AD for every name.
/// BIND's `delv`, asking dnsd for the data and validating it itself from the same anchor, must
/// agree on secure, insecure or bogus for every name too.
@Suite struct DNSSECValidationTests {
    /// (name, type, expected rcode, AD expected, EDE expected when SERVFAIL)
    static let cases: [(String, String, String, Bool, Int?)] = [
        ("www.good.secure.", "A", "NOERROR", true, nil),
        ("good.secure.", "DNSKEY", "NOERROR", true, nil),
        ("mail.good.secure.", "MX", "NOERROR", true, nil),
        ("nx.good.secure.", "A", "NXDOMAIN", true, nil),           // NSEC proof
        ("www.good.secure.", "AAAA", "NOERROR", true, nil),        // NSEC NODATA
        ("host.wild.good.secure.", "A", "NOERROR", true, nil),     // wildcard expansion + NSEC proof
        ("www.secure.", "A", "NOERROR", true, nil),
        ("nx.secure.", "A", "NXDOMAIN", true, nil),                // NSEC3 closest encloser proof
        ("www.secure.", "TXT", "NOERROR", true, nil),              // NSEC3 NODATA
        ("www.unsigned.secure.", "A", "NOERROR", false, nil),      // insecure: NSEC3 proves no DS
        ("www.same.good.secure.", "A", "NOERROR", false, nil),     // insecure child on its parent's server
        ("nx.same.good.secure.", "A", "NXDOMAIN", false, nil),
        ("nx.unsigned.secure.", "A", "NXDOMAIN", false, nil),
        ("www.child.optout.", "A", "NOERROR", false, nil),         // insecure: opt-out span
        ("www.optout.", "A", "NOERROR", true, nil),
        ("www.forged.secure.", "A", "SERVFAIL", false, 6),         // DNSSEC Bogus
        ("www.expired.secure.", "A", "SERVFAIL", false, 7),        // Signature Expired
        ("www.wrongds.secure.", "A", "SERVFAIL", false, 9),        // DNSKEY Missing
        ("nx.nonexistent.", "A", "NXDOMAIN", true, nil),           // NSEC proof from the root
        ("www.keytrap.secure.", "A", "SERVFAIL", false, 6),        // colliding key tags, forged RRSIGs: within the budget
    ]

    static func servers(_ tree: SignedHierarchy, port: UInt16?) -> String {
        let portSetting = port.map { ", port: \($0)" } ?? ""
        return """
          - zones: [.]
            plugins:
              - recurse: {hints: "\(tree.hintsPath)", trust_anchor_file: "\(tree.anchorPath)", timeout: 400ms, ipv6: false\(portSetting)}
        """
    }

    @Test func validatesASignedTreeFromItsAnchor() throws {
        // Unbound asks servers on port 53 only: the comparison needs the tree there (root).
        let asRoot = geteuid() == 0
        var port: UInt16 = 53
        if !asRoot { port = try LoopbackPort.free() }
        let tree = try SignedHierarchy(port: port, prefix: "127.\(asRoot ? 54 : Int.random(in: 100...250)).\(Int.random(in: 1...250))")
        defer { tree.stop() }
        var unbound: RecursionUnbound?
        if asRoot {
            unbound = try RecursionUnbound(hintsPath: tree.hintsPath, directory: tree.directory, anchorPath: tree.anchorPath)
        }
        defer { unbound?.stop() }
        let delv = try Delv(anchorPath: tree.anchorPath, directory: tree.directory)
        try ForwardDnsd.with(servers: Self.servers(tree, port: asRoot ? nil : port)) { dnsd in
            let patient = ["+dnssec", "+time=5", "+tries=2"]
            for (name, type, rcode, ad, ede) in Self.cases {
                let ours = try Dig.query(port: dnsd.port, name, type, patient)
                #expect(ours.status == rcode, "\(name) \(type)\n\(ours.raw)")
                #expect(ours.flags.contains("ad") == ad, "\(name) \(type): AD\n\(ours.raw)")
                if let ede {
                    #expect(ForwardDnsd.extendedErrorCode(ours) == ede, "\(name) \(type): EDE\n\(ours.raw)")
                }
                if rcode == "NOERROR", ad, type != "DNSKEY" {
                    #expect(ours.answer.contains { $0.type == "RRSIG" } || ours.authority.contains { $0.type == "RRSIG" },
                            "\(name) \(type): DO answers carry RRSIGs\n\(ours.raw)")
                }
                let ourVerdict = ours.status == "SERVFAIL" ? "bogus" : ours.flags.contains("ad") ? "secure" : "insecure"
                let delvVerdict = try delv.verdict(name, type, server: dnsd.port)
                #expect(ourVerdict == delvVerdict.verdict, "\(name) \(type): dnsd \(ourVerdict), delv\n\(delvVerdict.output)")
                if let unbound {
                    let theirs = try Dig.query(port: unbound.port, name, type, patient)
                    #expect(ours.status == theirs.status, "\(name) \(type): dnsd \(ours.status), unbound \(theirs.status)\n\(theirs.raw)")
                    #expect(ours.flags.contains("ad") == theirs.flags.contains("ad"),
                            "\(name) \(type): AD differs from Unbound's\n\(ours.raw)\n\(theirs.raw)")
                }
            }
            // Without DO: the same AD (dig sets AD in its query), no DNSSEC records.
            let plain = try Dig.query(port: dnsd.port, "www.good.secure.", "A", ["+nodnssec"])
            #expect(plain.flags.contains("ad") && plain.answers("A") == ["192.0.2.1"], "\(plain.raw)")
            #expect(!plain.answer.contains { $0.type == "RRSIG" }, "\(plain.raw)")
            let noAD = try Dig.query(port: dnsd.port, "www.good.secure.", "A", ["+nodnssec", "+noadflag"])
            #expect(!noAD.flags.contains("ad"), "AD only to clients that ask\n\(noAD.raw)")
            // CD: the forged answer, unchecked, for a client that validates itself.
            let unchecked = try Dig.query(port: dnsd.port, "www.forged.secure.", "A", ["+dnssec", "+cd"])
            #expect(unchecked.status == "NOERROR" && unchecked.answers("A") == ["192.0.2.66"] && !unchecked.flags.contains("ad"),
                    "\(unchecked.raw)")
        }
    }

    @Test func offResolvesWithoutChecking() throws {
        let port = try LoopbackPort.free()
        let tree = try SignedHierarchy(port: port, prefix: "127.\(Int.random(in: 100...250)).\(Int.random(in: 1...250))")
        defer { tree.stop() }
        let servers = """
          - zones: [.]
            plugins:
              - recurse: {hints: "\(tree.hintsPath)", port: \(port), timeout: 400ms, ipv6: false, dnssec: off}
        """
        try ForwardDnsd.with(servers: servers) { dnsd in
            let forged = try Dig.query(port: dnsd.port, "www.forged.secure.", "A", ["+dnssec"])
            #expect(forged.status == "NOERROR" && forged.answers("A") == ["192.0.2.66"] && !forged.flags.contains("ad"), "\(forged.raw)")
            #expect(!forged.answer.contains { $0.type == "RRSIG" }, "no DO upstream: no RRSIGs\n\(forged.raw)")
        }
    }
}

/// BIND's `delv` validating through dnsd: it asks dnsd (with CD) for the answer, the DS and
/// DNSKEY sets, and checks the chain itself from the trust anchor in `trust-anchors` form.
struct Delv {
    let binary: String
    let anchorFile: String

    /// `anchorPath`: DS records in zone-file form (dnsd's and Unbound's anchor file).
    init(anchorPath: String, directory: URL) throws {
        binary = try PeerTool.require("delv")
        let records = try String(contentsOfFile: anchorPath, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let ds = fields.firstIndex(of: "DS"), fields.count > ds + 4 else { return nil }
            let digest = fields[(ds + 4)...].joined()
            return "    \"\(fields[0])\" static-ds \(fields[ds + 1]) \(fields[ds + 2]) \(fields[ds + 3]) \"\(digest)\";"
        }
        anchorFile = directory.appendingPathComponent("delv.anchors").path
        try "trust-anchors {\n\(records.joined(separator: "\n"))\n};\n".write(toFile: anchorFile, atomically: true, encoding: .utf8)
    }

    /// secure ("fully validated"), insecure ("unsigned answer") or bogus (anything else: the
    /// validation failed), with delv's output.
    func verdict(_ name: String, _ type: String, server port: UInt16) throws -> (verdict: String, output: String) {
        let result = try PeerTool.run(binary, ["@127.0.0.1", "-p", "\(port)", "-a", anchorFile, "+root=.", name, type])
        let output = result.stdout + result.stderr
        if output.contains("fully validated") { return ("secure", output) }
        if output.contains("unsigned answer") { return ("insecure", output) }
        return ("bogus", output)
    }
}
