import Foundation
import Testing

/// A test CA and a server certificate for `dns.test`, made with the openssl CLI at test time.
struct ForwardTestCertificates {
    let caPath: String
    let certPath: String
    let keyPath: String

    init(in directory: URL, name: String = "dns.test") throws {
        let openssl = try PeerTool.require("openssl")
        func path(_ file: String) -> String { directory.appendingPathComponent(file).path }
        caPath = path("ca.pem")
        certPath = path("server.pem")
        keyPath = path("server.key")
        try "subjectAltName=DNS:\(name)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-keyout", path("ca.key"), "-out", caPath, "-subj", "/CN=dnsd test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", keyPath, "-out", path("server.csr"), "-subj", "/CN=\(name)"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", caPath, "-CAkey", path("ca.key"), "-CAcreateserial",
             "-days", "2", "-out", certPath, "-extfile", path("ext.cnf")],
        ]
        for step in steps {
            let result = try PeerTool.run(openssl, step, timeout: 30)
            guard result.status == 0 else { throw IntegrationError("openssl \(step.joined(separator: " ")) failed\n\(result.transcript)") }
        }
    }
}

/// Debian's Unbound as an encrypted upstream: DoT on one port and DoH (HTTP/2, it is built
/// with nghttp2) on another, both on 127.0.0.1, resolving example.test. through a stub zone
/// pointing at NSD.
final class UnboundProcess {
    let dotPort: UInt16
    let dohPort: UInt16
    let directory: URL
    private let process: Process
    private let logURL: URL

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    init(stubPort: UInt16, certificates: ForwardTestCertificates, directory: URL) throws {
        let unbound = try PeerTool.require("unbound")
        let checkconf = try PeerTool.require("unbound-checkconf")
        self.directory = directory
        dotPort = try LoopbackPort.free()
        dohPort = try LoopbackPort.free()
        let config = """
        server:
            interface: 127.0.0.1@\(dotPort)
            interface: 127.0.0.1@\(dohPort)
            tls-port: \(dotPort)
            https-port: \(dohPort)
            tls-service-key: "\(certificates.keyPath)"
            tls-service-pem: "\(certificates.certPath)"
            http-endpoint: "/dns-query"
            port: \(dotPort)
            do-ip6: no
            username: ""
            chroot: ""
            directory: "\(directory.path)"
            pidfile: "\(directory.path)/unbound.pid"
            use-syslog: no
            logfile: ""
            verbosity: 1
            num-threads: 1
            module-config: "iterator"
            do-not-query-localhost: no
            access-control: 127.0.0.0/8 allow
            local-zone: "test." nodefault
            local-zone: "check." static
            local-data: "doh.check. 60 IN A 192.0.2.99"
            qname-minimisation: no
            incoming-num-tcp: 20
        stub-zone:
            name: "example.test."
            stub-addr: 127.0.0.1@\(stubPort)
        remote-control:
            control-enable: no

        """
        let confPath = directory.appendingPathComponent("unbound.conf").path
        try config.write(toFile: confPath, atomically: true, encoding: .utf8)
        let check = try PeerTool.run(checkconf, [confPath])
        guard check.status == 0 else { throw IntegrationError("unbound-checkconf rejected unbound.conf\n\(check.transcript)") }
        logURL = directory.appendingPathComponent("unbound.log")
        process = try PeerTool.launch(unbound, ["-d", "-c", confPath], log: logURL)
    }

    deinit { stop() }

    /// Polls with kdig over TLS until Unbound answers.
    func waitUntilAnswering(timeout: Double = 15) throws {
        let kdig = try PeerTool.require("kdig")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { throw IntegrationError("unbound exited early\n\(log)") }
            let result = try PeerTool.run(kdig, ["@127.0.0.1", "-p", String(dotPort), "+tls", "+time=1", "+retry=0",
                                                 "www.example.test", "A"], timeout: 10)
            if result.status == 0, result.stdout.contains("192.0.2.80") { return }
            usleep(200_000)
        }
        throw IntegrationError("unbound did not answer over TLS on \(dotPort) within \(timeout) s\n\(log)")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !PeerTool.waitForExit(process, timeout: 10) {
            kill(process.processIdentifier, SIGKILL)
            _ = PeerTool.waitForExit(process, timeout: 5)
        }
    }
}

/// dnsd forwarding over DNS over TLS and DNS over HTTPS to a real Unbound, verifying its
/// certificate against a test CA (`tls_ca`); dig against dnsd confirms the answers.
@Suite("Forward over TLS and HTTPS to Unbound", .serialized)
struct ForwardUnboundTests {
    private func withUnbound(_ body: (UnboundProcess, ForwardTestCertificates, URL) throws -> Void) throws {
        try NSDProcess.with { nsd in
            let directory = try Fixtures.scratchDirectory("unbound")
            let certificates = try ForwardTestCertificates(in: directory)
            let unbound = try UnboundProcess(stubPort: nsd.port, certificates: certificates, directory: directory)
            defer { unbound.stop() }
            try unbound.waitUntilAnswering()
            try body(unbound, certificates, directory)
        }
    }

    @Test("DoT and DoH upstreams answer through dnsd, over reused connections")
    func encryptedUpstreams() throws {
        try withUnbound { unbound, certificates, _ in
            let servers = """
              - zones: [example.test.]
                plugins:
                  - forward: {to: [tls://127.0.0.1:\(unbound.dotPort)@dns.test], tls_ca: \(certificates.caPath), timeout: 3s}
              - zones: [.]
                plugins:
                  - forward: {to: ["https://dns.test:\(unbound.dohPort)/dns-query@127.0.0.1"], tls_ca: \(certificates.caPath), timeout: 3s}
            """
            try ForwardDnsd.with(servers: servers) { dnsd in
                for name in ["www.example.test", "mail.example.test", "ns1.example.test", "www.example.test"] {
                    let dot = try Dig.query(port: dnsd.port, name, "A")
                    #expect(dot.status == "NOERROR", "DoT \(name):\n\(dot.raw)\n\(dnsd.stderr)")
                    #expect(dot.answers("A").count == 1, "DoT \(name):\n\(dot.raw)")
                }
                let nx = try Dig.query(port: dnsd.port, "nothere.example.test", "A")
                #expect(nx.status == "NXDOMAIN", "\(nx.raw)")
                // doh.check. exists only in Unbound's local data and only the `.` block (DoH) reaches it.
                for _ in 0..<4 {
                    let doh = try Dig.query(port: dnsd.port, "doh.check", "A")
                    #expect(doh.status == "NOERROR", "DoH:\n\(doh.raw)\n\(dnsd.stderr)")
                    #expect(doh.answers("A") == ["192.0.2.99"], "DoH:\n\(doh.raw)")
                }
                // Reuse: at most one connection per event loop (dnsd runs one loop per core).
                let ss = try PeerTool.require("ss")
                for port in [unbound.dotPort, unbound.dohPort] {
                    let listing = try PeerTool.run(ss, ["-Htn", "state", "established", "(", "dport", "=", ":\(port)", ")"])
                    let connections = listing.stdout.split(separator: "\n")
                    #expect(connections.count >= 1 && connections.count <= ProcessInfo.processInfo.activeProcessorCount,
                            "connections to \(port): \(connections)")
                }
            }
        }
    }

    @Test("a certificate that does not match the verify name is refused")
    func wrongNameRefused() throws {
        try withUnbound { unbound, certificates, _ in
            let servers = """
              - zones: [example.test.]
                plugins:
                  - forward: {to: [tls://127.0.0.1:\(unbound.dotPort)@other.test], tls_ca: \(certificates.caPath), timeout: 2s}
            """
            try ForwardDnsd.with(servers: servers) { dnsd in
                let answer = try Dig.query(port: dnsd.port, "www.example.test", "A")
                #expect(answer.status == "SERVFAIL", "\(answer.raw)")
                #expect(answer.answers("A").isEmpty)
            }
        }
    }
}
