import Foundation
import Testing

/// DNS over TLS (RFC 7858) with real clients: kdig +tls, openssl s_client for SNI and ALPN.
@Suite("DNS over TLS", .serialized)
struct DoTTests {
    @Test func kdigAnswersOverTLS() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let kdig = try PeerTool.require("kdig")
        for extra in [[], ["+tls-sni=dns.test"]] {
            let result = try PeerTool.run(kdig, ["+tls", "@127.0.0.1", "-p", "\(tls.dotPort)", "www.example.test.", "A", "+short", "+timeout=5"] + extra)
            #expect(result.status == 0 && result.stdout.contains("192.0.2.80"), "\(result.transcript)")
        }
        // Several queries on one connection (pipelined, RFC 7766 framing).
        let many = try PeerTool.run(kdig, ["+tls", "+keepopen", "@127.0.0.1", "-p", "\(tls.dotPort)",
                                           "www.example.test.", "A", "example.test.", "SOA", "nothing.example.test.", "A", "+timeout=5"])
        #expect(many.status == 0 && many.stdout.contains("192.0.2.80") && many.stdout.contains("NXDOMAIN"), "\(many.transcript)")
    }

    @Test func sniPicksTheCertificateAndEveryoneElseGetsTheDefault() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let (a1, b1) = (try tls.serial(of: "a1"), try tls.serial(of: "b1"))
        #expect(try tls.servedSerial(sni: "dns.test") == a1)
        #expect(try tls.servedSerial(sni: "DOT.test") == a1)
        #expect(try tls.servedSerial(sni: "other.test") == b1)
        #expect(try tls.servedSerial(sni: "x.wild.test") == b1, "wildcard SAN")
        #expect(try tls.servedSerial(sni: "a.b.wild.test") == a1, "a wildcard covers one label only")
        #expect(try tls.servedSerial(sni: nil) == a1, "no SNI: the default (first) certificate")
        #expect(try tls.servedSerial(sni: "unknown.example") == a1, "unknown SNI: the default")
        // DoH uses the same certificates.
        #expect(try tls.servedSerial(port: tls.dohPort, sni: "other.test") == b1)
    }

    @Test func alpnDotAndNoALPNBothConnect() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let openssl = try PeerTool.require("openssl")
        let dot = try PeerTool.run("/bin/sh", ["-c", "\(openssl) s_client -connect 127.0.0.1:\(tls.dotPort) -alpn dot </dev/null 2>&1"], timeout: 20)
        #expect(dot.stdout.contains("ALPN protocol: dot"), "\(dot.transcript)")
        let none = try PeerTool.run("/bin/sh", ["-c", "\(openssl) s_client -connect 127.0.0.1:\(tls.dotPort) </dev/null 2>&1"], timeout: 20)
        #expect(none.stdout.contains("No ALPN negotiated") && none.stdout.contains("BEGIN CERTIFICATE"), "\(none.transcript)")
        // TLS 1.1 is refused (minimum TLS 1.2).
        let old = try PeerTool.run("/bin/sh", ["-c", "\(openssl) s_client -connect 127.0.0.1:\(tls.dotPort) -tls1_1 </dev/null 2>&1"], timeout: 20)
        #expect(!old.stdout.contains("BEGIN CERTIFICATE"), "\(old.transcript)")
    }

    @Test func aBadCertificateStopsTheStartWithTheFileAndReason() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-tls-start")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        try Data("garbage\n".utf8).write(to: directory.appendingPathComponent("bad.pem"))
        try Data("garbage\n".utf8).write(to: directory.appendingPathComponent("bad.key"))
        let port = try LoopbackPort.free()
        let config = """
            listen: [udp://127.0.0.1:\(port), tls://127.0.0.1:\(port)]
            control: {socket: control.sock}
            tls: [{name: main, cert: bad.pem, key: bad.key}]
            servers: [{zones: [example.test.], plugins: [{zone: {file: example.test.zone}}]}]
            """
        let path = directory.appendingPathComponent("dnsd.yaml").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--config", path], timeout: 30)
        #expect(result.status == 1 && result.stderr.contains("bad.pem") && result.stderr.contains("no PEM block"), "\(result.transcript)")
        // A tls:// listener without certificates is a configuration error.
        try "listen: [tls://127.0.0.1:\(port)]\nservers: [{zones: [example.test.], plugins: [{zone: {file: example.test.zone}}]}]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let check = try DnsdProcess.runToCompletion(["--check-config", path])
        #expect(check.status == 1 && check.stderr.contains("needs a certificate"), "\(check.transcript)")
    }
}
