import Foundation

/// A DNSSEC-signed DNS tree on loopback, signed at test time by BIND's dnssec-keygen and
/// dnssec-signzone and served by one NSD per zone (`RecursionNSD`) on `PREFIX.N`:
///
///     .1  .                     ECDSAP256SHA256, NSEC        (the trust anchor: its DS set)
///     .2  secure.               RSASHA256 (2048), NSEC3 without salt or iterations
///     .3  good.secure.          ED25519, NSEC                secure
///         same.good.secure.     not signed, no DS, served by .3 too: insecure without a referral
///     .4  unsigned.secure.      not signed, no DS            insecure (NSEC3 proof of no DS)
///     .5  forged.secure.        ECDSAP384SHA384, NSEC        bogus: www's A changed after signing
///     .6  expired.secure.       ECDSAP256SHA256              bogus: signed for 2021 only
///     .7  wrongds.secure.       ECDSAP256SHA256              bogus: the DS in secure. names another key
///     .8  optout.               RSASHA512, NSEC3 opt-out     its unsigned child `child.optout.` is insecure
///     .9  child.optout.         not signed
///     .10 keytrap.secure.       ED25519, NSEC                KeyTrap: 50 extra DNSKEYs sharing one key tag
///                                                            (signed in), www's A with 50 forged RRSIGs of that tag
///
/// `anchorPath` holds the root's DS records (dnsd's `trust_anchor_file`, Unbound's
/// `trust-anchor-file`), `hintsPath` the root hints. The servers numbered in `servedByDnsd`
/// are dnsd processes (the `zone` plugin, one server block per zone) instead of NSD;
/// `servedZones` has every zone's text as served, signed or not.
final class SignedHierarchy {
    let port: UInt16
    let prefix: String
    let directory: URL
    let hintsPath: String
    let anchorPath: String
    let servedByDnsd: Set<Int>
    private(set) var servedZones: [(server: Int, name: String, text: String)] = []
    private var servers: [RecursionNSD] = []
    /// The dnsd processes by server number.
    private(set) var dnsds: [Int: DnsdProcess] = [:]

    func address(_ last: Int) -> String { "\(prefix).\(last)" }

    init(port: UInt16, prefix: String, servedByDnsd: Set<Int> = []) throws {
        self.port = port
        self.prefix = prefix
        self.servedByDnsd = servedByDnsd
        directory = try Fixtures.scratchDirectory("signed-tree")
        hintsPath = directory.appendingPathComponent("root.hints").path
        anchorPath = directory.appendingPathComponent("root.anchor").path
        try """
        .                   3600000 IN NS a.root-servers.net.
        a.root-servers.net. 3600000 IN A  \(address(1))

        """.write(toFile: hintsPath, atomically: true, encoding: .utf8)
        do {
            try build()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    struct Zone {
        var name: String
        var server: Int
        var algorithm: String?
        var body: String
        var children: [String] = []
        var signFlags: [String] = []
        /// Applied to the signed text: the forgery.
        var tamper: ((String) -> String)? = nil
        /// DS records for this zone written into the parent instead of its own (wrongds).
        var dsOverride: String? = nil
    }

    private func zones() -> [Zone] {
        func a(_ last: Int) -> String { address(last) }
        let soa = "@ 3600 IN SOA ns1 hostmaster 1 3600 900 604800 300"
        func leaf(_ name: String, _ server: Int) -> String {
            """
            $ORIGIN \(name)
            $TTL 3600
            \(soa)
            @ IN NS ns1
            ns1 IN A \(a(server))
            www IN A 192.0.2.1
            mail IN MX 10 www
            *.wild IN A 192.0.2.9
            alias IN CNAME www
            dangling IN CNAME nx
            """
        }
        func delegation(_ child: String, _ server: Int) -> String {
            "\(child) IN NS ns1.\(child)\nns1.\(child) IN A \(a(server))"
        }
        return [
            Zone(name: "same.good.secure.", server: 3, algorithm: nil, body: leaf("same.good.secure.", 3)),
            Zone(name: "good.secure.", server: 3, algorithm: "ED25519", body: leaf("good.secure.", 3) + "\n" + delegation("same", 3),
                 children: ["same.good.secure."]),
            Zone(name: "unsigned.secure.", server: 4, algorithm: nil, body: leaf("unsigned.secure.", 4)),
            Zone(name: "forged.secure.", server: 5, algorithm: "ECDSAP384SHA384", body: leaf("forged.secure.", 5),
                 tamper: { text in
                     // The A record of www changed after signing: its RRSIG no longer matches.
                     text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                         let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                         guard fields.first == "www.forged.secure.", fields.contains("A"), fields.last == "192.0.2.1" else {
                             return String(line)
                         }
                         return line.replacingOccurrences(of: "192.0.2.1", with: "192.0.2.66")
                     }.joined(separator: "\n")
                 }),
            Zone(name: "expired.secure.", server: 6, algorithm: "ECDSAP256SHA256", body: leaf("expired.secure.", 6),
                 signFlags: ["-s", "20210101000000", "-e", "20211231000000", "-P"]),
            Zone(name: "wrongds.secure.", server: 7, algorithm: "ECDSAP256SHA256", body: leaf("wrongds.secure.", 7),
                 dsOverride: "wrongds.secure. IN DS 12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118BE4B6FDEC1D36AA0E7F1D4E3"),
            Zone(name: "keytrap.secure.", server: 10, algorithm: "ED25519",
                 body: leaf("keytrap.secure.", 10) + "\n" + KeyTrapRecords.collidingKeys(owner: "keytrap.secure.", count: 50),
                 signFlags: ["-O", "full"],
                 tamper: { text in
                     // www's genuine RRSIG goes; 50 forged ones of the colliding tag take its place.
                     let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                         let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                         return !(fields.first == "www.keytrap.secure." && fields.count > 4 && fields[3] == "RRSIG" && fields[4] == "A")
                     }
                     return kept.joined(separator: "\n") + "\n"
                         + KeyTrapRecords.forgedSignatures(owner: "www.keytrap.secure.", signer: "keytrap.secure.", count: 50)
                 }),
            Zone(name: "secure.", server: 2, algorithm: "RSASHA256", body: """
                $ORIGIN secure.
                $TTL 3600
                \(soa)
                @ IN NS ns1
                ns1 IN A \(a(2))
                www IN A 192.0.2.2
                \(delegation("good", 3))
                \(delegation("unsigned", 4))
                \(delegation("forged", 5))
                \(delegation("expired", 6))
                \(delegation("wrongds", 7))
                \(delegation("keytrap", 10))
                """, children: ["good.secure.", "unsigned.secure.", "forged.secure.", "expired.secure.", "wrongds.secure.", "keytrap.secure."],
                 signFlags: ["-3", "-", "-H", "0"]),
            Zone(name: "child.optout.", server: 9, algorithm: nil, body: leaf("child.optout.", 9)),
            Zone(name: "optout.", server: 8, algorithm: "RSASHA512", body: """
                $ORIGIN optout.
                $TTL 3600
                \(soa)
                @ IN NS ns1
                ns1 IN A \(a(8))
                www IN A 192.0.2.8
                \(delegation("child", 9))
                """, children: ["child.optout."], signFlags: ["-3", "-", "-H", "0", "-A"]),
            Zone(name: ".", server: 1, algorithm: "ECDSAP256SHA256", body: """
                $ORIGIN .
                $TTL 86400
                . IN SOA a.root-servers.net. hostmaster.root. 1 1800 900 604800 86400
                . IN NS a.root-servers.net.
                a.root-servers.net. IN A \(a(1))
                secure. IN NS ns1.secure.
                ns1.secure. IN A \(a(2))
                optout. IN NS ns1.optout.
                ns1.optout. IN A \(a(8))
                """, children: ["secure.", "optout."]),
        ]
    }

    /// Signs bottom-up (each child's DS set goes into its parent before the parent is signed),
    /// then starts the servers.
    private func build() throws {
        let keygen = try PeerTool.require("dnssec-keygen")
        let signzone = try PeerTool.require("dnssec-signzone")
        var dsSets: [String: String] = [:]
        var served: [(Int, String, String)] = []
        for zone in zones() {
            let dir = directory.appendingPathComponent(zone.name == "." ? "root" : String(zone.name.dropLast()))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var text = zone.body + "\n"
            for child in zone.children { text += (dsSets[child] ?? "") + "\n" }
            let unsigned = dir.appendingPathComponent("zone")
            try text.write(to: unsigned, atomically: true, encoding: .utf8)
            guard let algorithm = zone.algorithm else {
                served.append((zone.server, zone.name, text))
                continue
            }
            let size = algorithm.hasPrefix("RSA") ? ["-b", "2048"] : []
            for flags in [["-f", "KSK"], []] {
                let made = try PeerTool.run(keygen, ["-q", "-K", dir.path, "-a", algorithm] + size + flags + [zone.name])
                guard made.status == 0 else { throw IntegrationError("dnssec-keygen \(zone.name)\n\(made.transcript)") }
            }
            let signedURL = dir.appendingPathComponent("signed")
            let signed = try PeerTool.run(signzone, ["-q", "-S", "-K", dir.path, "-d", dir.path, "-o", zone.name]
                                          + zone.signFlags + ["-f", signedURL.path, unsigned.path])
            guard signed.status == 0 else { throw IntegrationError("dnssec-signzone \(zone.name)\n\(signed.transcript)") }
            var signedText = try String(contentsOf: signedURL, encoding: .utf8)
            if let tamper = zone.tamper {
                let changed = tamper(signedText)
                guard changed != signedText else { throw IntegrationError("the forgery in \(zone.name) changed nothing") }
                signedText = changed
            }
            served.append((zone.server, zone.name, signedText))
            let dsset = try String(contentsOf: dir.appendingPathComponent("dsset-\(zone.name)"), encoding: .utf8)
            dsSets[zone.name] = zone.dsOverride ?? dsset
        }
        try (dsSets["."] ?? "").write(toFile: anchorPath, atomically: true, encoding: .utf8)
        servedZones = served.map { (server: $0.0, name: $0.1, text: $0.2) }
        for server in Set(served.map(\.0)).sorted() {
            let zones = served.filter { $0.0 == server }.map { ($0.1, $0.2) }
            if servedByDnsd.contains(server) {
                dnsds[server] = try startDnsd(server, zones: zones)
            } else {
                servers.append(try RecursionNSD(address: address(server), port: port, zones: zones,
                                                directory: directory.appendingPathComponent("nsd\(server)")))
            }
        }
        for server in servers { try server.waitUntilAnswering() }
    }

    /// dnsd serving `zones` from files on the server's address (and on a 127.0.0.1 port, its
    /// `DnsdProcess.port`); its control socket is `control.sock` in its directory.
    private func startDnsd(_ server: Int, zones: [(String, String)]) throws -> DnsdProcess {
        let dnsdDirectory = directory.appendingPathComponent("dnsd\(server)")
        try FileManager.default.createDirectory(at: dnsdDirectory, withIntermediateDirectories: true)
        var files: [(origin: String, file: String)] = []
        for (index, (name, text)) in zones.enumerated() {
            let file = dnsdDirectory.appendingPathComponent("zone\(index).zone")
            try (text + "\n").write(to: file, atomically: true, encoding: .utf8)
            files.append((name, file.path))
        }
        return try DnsdProcess.serving(zones: files, in: dnsdDirectory, alsoOn: ["\(address(server)):\(port)"])
    }

    func stop() {
        RecursionNSD.stopAll(servers)
        servers = []
        for dnsd in dnsds.values { _ = try? dnsd.stop() }
        dnsds = [:]
    }
}
