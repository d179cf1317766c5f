import Foundation
import Testing

/// DNS cookies (RFC 7873, RFC 9018 server cookies) against a real dnsd, with dig, kdig and
/// dnspython as the clients: a client cookie gets a server cookie back, which verifies across
/// a restart with the same secret and across one rotation; a wrong server cookie gets
/// BADCOOKIE over UDP with a fresh cookie (RFC 7873 §5.2.3), and is answered over TCP.
@Suite("DNS cookies", .serialized)
struct CookieTests {
    static let secret = "000102030405060708090a0b0c0d0e0f"
    static let clientCookie = "2464c4abcf10c957"

    /// dnsd serving example.test. with a fixed cookie secret in `directory`.
    static func start(in directory: URL) throws -> DnsdProcess {
        _ = try? Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let config = "cookies: {secret: \(secret)}\n" + DnsdProcess.configText(port: port)
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        return dnsd
    }

    /// dig's `; COOKIE: HEX (good)` line: the cookie and whether dig found its client part echoed.
    static func digCookie(_ port: UInt16, _ options: [String]) throws -> (status: String, cookie: String?, good: Bool) {
        let output = try Dig.query(port: port, "www.example.test.", "A", options)
        guard let line = output.raw.split(separator: "\n").first(where: { $0.hasPrefix("; COOKIE: ") }) else {
            return (output.status, nil, false)
        }
        let fields = line.dropFirst("; COOKIE: ".count).split(separator: " ")
        return (output.status, fields.first.map(String.init), line.contains("(good)"))
    }

    static func dnspython(_ port: UInt16, _ cookie: String, tcp: Bool = false) throws -> (rcode: String, cookie: String) {
        let python = try PeerTool.requirePythonWithDNSPython()
        let result = try PeerTool.run(python, [try Fixtures.path("cookie_query.py"), String(port), "www.example.test.", cookie] + (tcp ? ["tcp"] : []))
        let fields = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard result.status == 0, fields.count == 2 else { throw IntegrationError("cookie_query.py failed\n\(result.transcript)") }
        return (fields[0], fields[1])
    }

    @Test func aServerCookieVerifiesAcrossARestartAndOneRotation() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-cookie")
        var dnsd = try Self.start(in: directory)
        let first = try Self.digCookie(dnsd.port, ["+cookie=\(Self.clientCookie)"])
        let cookie = try #require(first.cookie, "no cookie in dig's output")
        #expect(first.status == "NOERROR" && first.good && cookie.count == 48 && cookie.hasPrefix(Self.clientCookie + "01000000"), "\(first)")
        #expect(try dnsd.stop() == 0)

        dnsd = try Self.start(in: directory)
        defer { _ = try? dnsd.stop() }
        let again = try Self.digCookie(dnsd.port, ["+cookie=\(cookie)"])
        #expect(again.status == "NOERROR" && again.cookie == cookie, "the same secret verifies it after a restart (and echoes it while fresh): \(again)")
        #expect(try Self.dnspython(dnsd.port, cookie) == ("NOERROR", cookie))

        #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["cookie.rotate"]).status == 0)
        let rotated = try Self.digCookie(dnsd.port, ["+cookie=\(cookie)"])
        #expect(rotated.status == "NOERROR" && rotated.cookie == cookie, "the previous secret still verifies: \(rotated)")
        #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["cookie.rotate"]).status == 0)
        let twice = try Self.dnspython(dnsd.port, cookie)
        #expect(twice.rcode == "BADCOOKIE" && twice.cookie.hasPrefix(Self.clientCookie) && twice.cookie != cookie,
                "two rotations later the cookie is gone: \(twice)")
        // The fresh cookie in the BADCOOKIE answer is good at once.
        #expect(try Self.dnspython(dnsd.port, twice.cookie).rcode == "NOERROR")
    }

    @Test func aWrongServerCookieGetsBadCookieOverUDPOnly() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-cookie-bad")
        let dnsd = try Self.start(in: directory)
        defer { _ = try? dnsd.stop() }
        let forged = Self.clientCookie + "01000000" + "00000000" + "1122334455667788"
        // dnspython: BADCOOKIE with a fresh server cookie for the same client cookie.
        let bad = try Self.dnspython(dnsd.port, forged)
        #expect(bad.rcode == "BADCOOKIE" && bad.cookie.count == 48 && bad.cookie.hasPrefix(Self.clientCookie), "\(bad)")
        // Over TCP the address is proved: answered, with a fresh cookie.
        let tcp = try Self.dnspython(dnsd.port, forged, tcp: true)
        #expect(tcp.rcode == "NOERROR" && tcp.cookie != forged, "\(tcp)")
        // kdig agrees on the rcode.
        let kdig = try PeerTool.require("kdig")
        let result = try PeerTool.run(kdig, ["@127.0.0.1", "-p", String(dnsd.port), "+cookie=\(forged)", "+nobadcookie", "+retry=0",
                                             "www.example.test.", "A"])
        #expect(result.stdout.contains("BADCOOKIE"), "\(result.transcript)")
        // dig with only a client cookie: answered, cookie good.
        let clientOnly = try Self.digCookie(dnsd.port, ["+cookie"])
        #expect(clientOnly.status == "NOERROR" && clientOnly.good, "\(clientOnly)")
        // Counted.
        let stats = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.get", "cookie."])
        #expect(stats.stdout.contains("cookie.badcookie_sent = 2"), "\(stats.transcript)")
    }
}
