import Foundation
import Testing

/// dnsd's `recurse` against Debian's Unbound (iterator module only, no DNSSEC), both starting
/// from the same test root hints: the same names must get the same rcode and answer records.
///
/// Unbound always sends to port 53 of the servers it is referred to (a stub-zone could move
/// only the root to another port), so this test builds its tree on port 53 of 127.53.x.y
/// addresses. That needs root (or CAP_NET_BIND_SERVICE); elsewhere the test is skipped.
@Suite struct RecursionDifferentialTests {
    static let names: [(String, String)] = [
        ("www.example.alpha.", "A"), ("www.example.alpha.", "AAAA"), ("nx.example.alpha.", "A"),
        ("alias.example.alpha.", "A"), ("inzone.example.alpha.", "A"), ("dangling.example.alpha.", "A"),
        ("www.dn.example.alpha.", "A"), ("host.sub.example.alpha.", "A"), ("sub.example.alpha.", "A"),
        ("mail.example.alpha.", "MX"), ("txt.example.alpha.", "TXT"), ("host.other.alpha.", "A"),
        ("www.mixed.alpha.", "A"), ("www.example.beta.", "A"), ("example.beta.", "NS"),
        ("example.alpha.", "SOA"), ("nothing.beta.", "A"), ("www.nonexistent.", "A"),
    ]

    @Test(.enabled(if: geteuid() == 0, "needs port 53 on 127.53.x.y (root): Unbound cannot query another port"))
    func unboundAndDnsdAgree() throws {
        let tree = try RecursionHierarchy(port: 53, prefix: "127.53.\(Int.random(in: 1...250))", withFixtures: false)
        defer { tree.stop() }
        let unbound = try RecursionUnbound(hintsPath: tree.hintsPath, directory: tree.directory)
        defer { unbound.stop() }
        let servers = """
          - zones: [.]
            plugins:
              - cache: {}
              - recurse: {hints: "\(tree.hintsPath)", ipv6: false, dnssec: off}
        """
        try ForwardDnsd.with(servers: servers) { dnsd in
            // A cold walk with glueless NS takes several round trips; under the whole suite's
            // parallel load one 3 s try can be too short. Retries change no answer compared.
            let patient = ["+time=5", "+tries=3"]
            for (name, type) in Self.names {
                let ours = try Dig.query(port: dnsd.port, name, type, patient)
                let theirs = try Dig.query(port: unbound.port, name, type, patient)
                #expect(ours.status == theirs.status, "\(name) \(type): dnsd \(ours.status), unbound \(theirs.status)\n\(ours.raw)\n\(theirs.raw)")
                #expect(Self.answer(ours) == Self.answer(theirs), "\(name) \(type)\ndnsd:\n\(ours.raw)\nunbound:\n\(theirs.raw)")
                #expect(ours.flags.contains("ra") && !ours.authoritative)
                // Both failing alike would prove nothing: every name here resolves for Unbound.
                #expect(theirs.status == "NOERROR" || theirs.status == "NXDOMAIN", "\(theirs.raw)")
            }
        }
    }

    /// Answer records without TTLs, sorted (the order of a chain's RRsets is not compared).
    static func answer(_ output: DigOutput) -> [String] {
        output.answer.map { "\($0.owner) \($0.type) \($0.rdata)" }.sorted()
    }
}

/// Unbound on 127.0.0.1 at a free port as an iterative resolver from the given hints; with
/// `anchorPath`, validating DNSSEC from that trust anchor (DNSSECValidationTests).
final class RecursionUnbound {
    let port: UInt16
    private let process: Process
    private let logURL: URL

    /// `clauses`: more top-level clauses for unbound.conf (`stub-zone:` ...).
    init(hintsPath: String, directory: URL, anchorPath: String? = nil, clauses: String = "") throws {
        let unbound = try PeerTool.require("unbound")
        port = try LoopbackPort.free()
        let config = """
        server:
            interface: 127.0.0.1@\(port)
            port: \(port)
            do-ip6: no
            do-not-query-localhost: no
            module-config: "\(anchorPath == nil ? "iterator" : "validator iterator")"
            root-hints: "\(hintsPath)"
        \(anchorPath.map { "    trust-anchor-file: \"\($0)\"" } ?? "")
            username: ""
            chroot: ""
            directory: "\(directory.path)"
            pidfile: "\(directory.path)/unbound.pid"
            use-syslog: no
            logfile: ""
            num-threads: 1
            access-control: 127.0.0.0/8 allow
            qname-minimisation: yes
            minimal-responses: yes
        remote-control:
            control-enable: no
        \(clauses)
        """
        let confPath = directory.appendingPathComponent("unbound.conf").path
        try config.write(toFile: confPath, atomically: true, encoding: .utf8)
        let checkconf = try PeerTool.require("unbound-checkconf")
        let check = try PeerTool.run(checkconf, [confPath])
        guard check.status == 0 else { throw IntegrationError("unbound-checkconf rejected the config\n\(check.transcript)") }
        logURL = directory.appendingPathComponent("unbound.log")
        process = try PeerTool.launch(unbound, ["-d", "-c", confPath], log: logURL)
        do { try PeerTool.waitForUnbound(process, port: port, log: logURL) } catch { stop(); throw error }
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = PeerTool.waitForExit(process, timeout: 5)
    }
}
