import Foundation
import Testing

/// A dnsd whose configuration a test rewrites section by section and reloads, with the peers
/// the reload tests observe it through: a silent upstream (`FaultyUpstream` in drop mode) for
/// queries that must wait, and, with `tls`, a test PKI for DoT and DoH listeners.
///
/// Every configuration it writes is `base` with some sections replaced or added. Sections are
/// YAML flow values (`tcp: {max_connections: 2}`), so a section is one line.
final class ReloadHarness {
    let dnsd: DnsdProcess
    let upstream: FaultyUpstream
    var directory: URL { dnsd.directory }
    var port: UInt16 { dnsd.port }
    var socket: String { dnsd.controlSocket }
    let dotPort: UInt16, dohPort: UInt16
    /// The sections every configuration has.
    private(set) var base: [String: String]
    /// Where the test certificates are (`pki/`), when made.
    var pki: URL { directory.appendingPathComponent("pki") }

    /// `tls`: make the test PKI (certificates a1, a2, a3 for dns.test and dot.test, b1 for
    /// other.test) and listen for DoT and DoH with `main` = a1.
    init(tls: Bool = false) throws {
        upstream = try FaultyUpstream(mode: "drop")
        let directory = try Fixtures.scratchDirectory("dnsd-reload")
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        dotPort = tls ? try LoopbackPort.free() : 0
        dohPort = tls ? try LoopbackPort.free() : 0
        var listen = "udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port), \"udp://[::1]:\(port)\""
        if tls {
            try Self.makePKI(in: directory)
            listen += ", tls://127.0.0.1:\(dotPort), https://127.0.0.1:\(dohPort)/dns-query"
        }
        base = [
            "listen": "[\(listen)]",
            // One worker: its caps (limits.relay_waiting, ...) are then the daemon's.
            "threads": "1",
            "control": Self.control(),
            "cookies": "{secret: \(Self.baseCookieSecret)}",
            "servers": Self.servers(silent: upstream.url()),
            // A dnstap writer (to a file) that no block selects: `servers.dnstap` turns it on live.
            "dnstap": Self.dnstap,
        ]
        if tls { base["tls"] = "[{name: main, cert: main.pem, key: main.key}]" }
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try Self.text(base).write(toFile: configPath, atomically: true, encoding: .utf8)
        dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        chmod(directory.path, 0o755)
        try dnsd.waitUntilAnswering()
    }

    static let baseCookieSecret = "00112233445566778899aabbccddeeff"
    static let dnstap = #"{sink: "file:dnstap.fstrm"}"#

    /// The `control:` section: the socket beside the config, open to every user (so that only
    /// dnsd's check of the caller decides), and `more` keys.
    static func control(_ more: String = "") -> String {
        #"{socket: control.sock, mode: "0666""# + (more.isEmpty ? "" : ", " + more) + "}"
    }

    /// The `servers:` list: example.test. from the fixture zone (with `exampleACL` as its block's
    /// `acl`, `exampleDnstap` as its `dnstap`, or `examplePlugins` instead of the zone file), fwd.test. forwarded (UDP misses
    /// relayed) and slow.test. cached and forwarded with an `except` (which keeps its misses on
    /// the full path), both to the silent upstream, then `extra` blocks.
    static func servers(silent: String, exampleACL: String? = nil, examplePlugins: String? = nil, exampleDnstap: String? = nil,
                        extra: String? = nil) -> String {
        let forward = "{forward: {to: [\(silent)], timeout: 3s, max_fails: 0}}"
        let blocks = [
            "{zones: [example.test.], plugins: \(examplePlugins ?? "[{zone: {file: example.test.zone}}]")"
                + (exampleACL.map { ", acl: \($0)" } ?? "") + (exampleDnstap.map { ", dnstap: \($0)" } ?? "") + "}",
            "{zones: [fwd.test.], plugins: [\(forward)]}",
            "{zones: [slow.test.], plugins: [{cache: {prefetch: true}}, {forward: {to: [\(silent)], timeout: 3s, max_fails: 0, except: [other.slow.test.]}}]}",
        ] + (extra.map { [$0] } ?? [])
        return "[" + blocks.joined(separator: ", ") + "]"
    }

    /// `servers(silent:...)` with this harness's upstream.
    func servers(exampleACL: String? = nil, examplePlugins: String? = nil, exampleDnstap: String? = nil, extra: String? = nil) -> String {
        Self.servers(silent: upstream.url(), exampleACL: exampleACL, examplePlugins: examplePlugins, exampleDnstap: exampleDnstap,
                     extra: extra)
    }

    /// The configuration text of `sections`, `listen` first.
    static func text(_ sections: [String: String]) -> String {
        sections.sorted { ($0.key == "listen" ? "" : $0.key) < ($1.key == "listen" ? "" : $1.key) }
            .map { "\($0.key): \($0.value)\n" }.joined()
    }

    /// Writes `base` with `sections` in place of (or beside) its own and calls `config.reload`;
    /// the reply's result.
    @discardableResult
    func reload(_ sections: [String: String]) throws -> [String: Any] {
        try Self.text(base.merging(sections) { $1 }).write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
        let reply = try ControlSocketClient(path: socket, timeout: 20).call(#"{"jsonrpc":"2.0","id":1,"method":"config.reload"}"#)
        guard let result = reply["result"] as? [String: Any] else {
            throw IntegrationError("config.reload refused \(Self.text(sections)): \(reply)\n\(dnsd.stderr.suffix(2000))")
        }
        return result
    }

    func stop() throws -> Int32 { try dnsd.stop() }

    // MARK: - Observations

    /// The rcode and answer count of one UDP query from `source`, as "NOERROR/1", or "timeout".
    func ask(_ name: String, type: UInt16 = RawDNS.typeA, source: String = "127.0.0.1", timeout: Double = 1) -> String {
        guard let socket = try? DNSSocket.udp(port: port, timeout: timeout, source: source) else { return "no socket" }
        let id = UInt16.random(in: 1...0xFFFF)
        try? socket.sendMessage(RawDNS.query(id: id, name: name, type: type))
        guard let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id else { return "timeout" }
        let rcodes = [0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"]
        return "\(rcodes[Int(header.flags & 0x0F)] ?? "\(header.flags & 0x0F)")/\(header.ancount)"
    }

    /// COUNT copies of a query for `name` from `source`, as fast as they go (UDPBurst.swift).
    func burst(_ name: String, count: Int, source: String = "127.0.0.1", cookie: [UInt8]? = nil) throws -> UDPBurst {
        try UDPBurst.run(port: port, UDPBurst.queries(name, count: count, cookie: cookie), source: source)
    }

    /// Queries for COUNT distinct names under `suffix` (q0.SUFFIX, q1.SUFFIX, ...).
    func distinctBurst(_ suffix: String, count: Int, cookie: [UInt8]? = nil) throws -> UDPBurst {
        try UDPBurst.run(port: port, (0..<count).map { UDPBurst.query(id: UInt16($0 + 1), name: "q\($0).\(suffix)", cookie: cookie) })
    }

    /// What `many_clients.py` counted for ROUNDS queries from each of CLIENTS addresses.
    func manyClients(_ name: String, clients: Int, rounds: Int) throws -> [String: Int] {
        try python("many_clients.py", ["\(port)", name, "\(clients)", "\(rounds)"], timeout: 60)
    }

    /// A fixture script's JSON output (these need python3 only, not dnspython).
    func python(_ script: String, _ arguments: [String], timeout: Double = 30) throws -> [String: Int] {
        let result = try PeerTool.run("/usr/bin/python3", [try Fixtures.path(script)] + arguments, timeout: timeout)
        guard result.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw IntegrationError("\(script) failed\n\(result.transcript)")
        }
        return object.compactMapValues { $0 as? Int }
    }

    /// The stdout of `stream_drip.py MODE ...` against the DoH listener.
    func h2(_ arguments: [String]) throws -> String {
        let result = try PeerTool.run("/usr/bin/python3", [try Fixtures.path("stream_drip.py")] + [arguments[0], "127.0.0.1", "\(dohPort)"] + arguments.dropFirst(),
                                      timeout: 30)
        let output = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // h2burst prints "goaway=G closed=C": the verdict as one word.
        guard arguments.first == "h2burst" else { return output }
        return output.contains("goaway=1") ? "goaway" : output.contains("closed=1") ? "closed" : "open"
    }

    /// A control call's reply (result or error), over a connection of its own.
    func call(_ method: String, _ params: String = "{}") throws -> [String: Any] {
        try ControlSocketClient(path: socket).call(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
    }

    func dnsctl(_ arguments: [String], as user: String? = nil) throws -> CommandResult {
        try ControlPlaneTests.dnsctl(socket, arguments, as: user)
    }

    /// "closed" when dnsd closed a TCP connection opened now, after `body` (which may send on
    /// it), within `within` seconds; else "open".
    func tcpConnection(within: Double, _ body: (DNSSocket) throws -> Void = { _ in }) throws -> String {
        let socket = try DNSSocket.tcp(port: port, timeout: within)
        try body(socket)
        return socket.peerClosed() ? "closed" : "open"
    }

    // MARK: - TLS

    private static func makePKI(in directory: URL) throws {
        let pki = directory.appendingPathComponent("pki")
        try TLSHarness.makePKI(in: pki)
        for name in ["a1", "a2", "a3", "b1"] {
            try TLSHarness.copy(pki.appendingPathComponent("\(name).fullchain.pem"), directory.appendingPathComponent("\(name).pem"))
            try TLSHarness.copy(pki.appendingPathComponent("\(name).key"), directory.appendingPathComponent("\(name).key"))
        }
        try installMain("a1", in: directory)
    }

    /// Puts certificate `name`'s chain and key into main.pem and main.key.
    func installMain(_ name: String) throws { try Self.installMain(name, in: directory) }

    private static func installMain(_ name: String, in directory: URL) throws {
        let pki = directory.appendingPathComponent("pki")
        try TLSHarness.copy(pki.appendingPathComponent("\(name).fullchain.pem"), directory.appendingPathComponent("main.pem"))
        try TLSHarness.copy(pki.appendingPathComponent("\(name).key"), directory.appendingPathComponent("main.key"))
    }

    /// Which of the test certificates (a1, a2, a3, b1) a DoT client is served, with SNI `sni`
    /// (nil: none), or "none".
    func served(sni: String?) throws -> String {
        guard let serial = try? TLSHarness.servedSerial(port: dotPort, sni: sni) else { return "none" }
        for name in ["a1", "a2", "a3", "b1"] where try TLSHarness.serial(of: name, in: pki) == serial { return name }
        return "unknown \(serial)"
    }
}
