import Foundation
import Testing

/// dnsd as a secondary of NSD (docs/replication.md): it loads example.test. by AXFR signed with
/// TSIG, serves what NSD serves for every name, follows NSD's NOTIFY after a change, serves its
/// persisted copy after a restart with NSD gone, and answers SERVFAIL once the SOA's expire
/// has passed without NSD.
@Suite("dnsd as a secondary of NSD", .serialized)
struct SecondaryNSDTests {
    static let keyName = ReplicationNSDTests.keyName
    static let secret = ReplicationNSDTests.secret

    /// NSD serving `zonePath` as primary (AXFR to 127.0.0.1 with the key, NOTIFY signed to
    /// `notifying`).
    static func primary(zonePath: String, notifying dnsdPort: UInt16, port: UInt16? = nil) throws -> NSDProcess {
        let nsd = try NSDProcess(port: try port ?? LoopbackPort.free(), clauses: """
            key:
                name: \(keyName)
                algorithm: hmac-sha256
                secret: "\(secret)"
            zone:
                name: example.test.
                zonefile: "\(zonePath)"
                provide-xfr: 127.0.0.1 \(keyName)
                notify: 127.0.0.1@\(dnsdPort) \(keyName)

            """)
        try nsd.waitUntilAnswering(timeout: 15)
        return nsd
    }

    static func configText(port: UInt16, primaryPort: UInt16) -> String {
        """
        listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
        control: {socket: control.sock}
        tsig_keys:
          - {name: \(keyName), algorithm: hmac-sha256, secret: "\(secret)"}
        servers:
          - zones: [example.test.]
            plugins:
              - secondary: {primaries: ["127.0.0.1:\(primaryPort)"], key: \(keyName), file: secondary/example.test.zone}

        """
    }

    static func startDnsd(directory: URL, port: UInt16) throws -> DnsdProcess {
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        return dnsd
    }

    /// The fixture zone with `serial` and `expire`, and `extra` lines at the end.
    static func zoneText(serial: Int, expire: Int = 1_209_600, extra: String = "") throws -> String {
        try String(contentsOfFile: try Fixtures.path("example.test.zone"), encoding: .utf8)
            .replacingOccurrences(of: "2026010101 ; serial", with: "\(serial) ; serial")
            .replacingOccurrences(of: "1209600    ; expire", with: "\(expire) ; expire")
            + extra
    }

    /// Writes a new version of the primary's zone and restarts NSD on the same port with it:
    /// NSD sends NOTIFY for its zones when it starts.
    static func update(_ nsd: inout NSDProcess, zonePath: String, text: String, dnsdPort: UInt16) throws {
        nsd.stop()
        try text.write(toFile: zonePath, atomically: true, encoding: .utf8)
        nsd = try primary(zonePath: zonePath, notifying: dnsdPort, port: nsd.port)
    }

    static func dig(port: UInt16, _ arguments: [String]) throws -> CommandResult {
        try PeerTool.run(try PeerTool.require("dig"), ["+tries=1", "+time=2", "@127.0.0.1", "-p", "\(port)"] + arguments, timeout: 15)
    }

    /// The answer section for NAME TYPE, sorted (TTLs included: a secondary serves them as given).
    static func answers(port: UInt16, _ name: String, _ type: String) throws -> [String] {
        try dig(port: port, ["+noall", "+answer", "+norecurse", name, type]).stdout.split(separator: "\n").map(String.init).sorted()
    }

    static func waitFor(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    @Test("AXFR with TSIG, the same answers as NSD, NOTIFY, a restart from the persisted copy, expire")
    func followsNSD() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-secondary")
        let zonePath = directory.appendingPathComponent("primary.example.test.zone").path
        try Self.zoneText(serial: 2026010101).write(toFile: zonePath, atomically: true, encoding: .utf8)
        let port = try LoopbackPort.free()
        var nsd = try Self.primary(zonePath: zonePath, notifying: port)
        defer { nsd.stop() }
        try Self.configText(port: port, primaryPort: nsd.port)
            .write(toFile: directory.appendingPathComponent("dnsd.yaml").path, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("secondary"), withIntermediateDirectories: true)
        var dnsd = try Self.startDnsd(directory: directory, port: port)
        defer { _ = try? dnsd.stop() }

        // The first transfer: every name and type the primary holds answers the same here.
        let loaded = try Self.waitFor(seconds: 10) { try Self.answers(port: port, "example.test.", "SOA").first?.contains("2026010101") == true }
        #expect(loaded, "no transfer within 10 s\n\(dnsd.stderr)\n\(nsd.log)")
        #expect(dnsd.stderr.contains("AXFR serial 2026010101 from 127.0.0.1@\(nsd.port)") && dnsd.stderr.contains("TSIG key \(Self.keyName)"), "\(dnsd.stderr)")
        let key = "hmac-sha256:\(Self.keyName):\(Self.secret)"
        let axfr = try Self.dig(port: nsd.port, ["-y", key, "+noall", "+answer", "AXFR", "example.test."])
        let pairs = Set(axfr.stdout.split(separator: "\n").compactMap { line -> [String]? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            return fields.count >= 4 ? [fields[0], fields[3]] : nil
        })
        #expect(pairs.count > 20, "\(axfr.transcript)")
        for pair in pairs.sorted(by: { $0.joined() < $1.joined() }) {
            #expect(try Self.answers(port: port, pair[0], pair[1]) == (try Self.answers(port: nsd.port, pair[0], pair[1])), "\(pair)")
        }
        for name in ["nothere.example.test.", "x.wild.example.test.", "alias.example.test."] {
            #expect(try Self.answers(port: port, name, "A") == (try Self.answers(port: nsd.port, name, "A")), "\(name)")
        }

        // A change on the primary arrives by NOTIFY (refresh is 7200 s: polling cannot explain it).
        try Self.update(&nsd, zonePath: zonePath, text: try Self.zoneText(serial: 2026010102, extra: "notified 300 IN A 192.0.2.88\n"), dnsdPort: port)
        let notified = try Self.waitFor(seconds: 5) { try Self.answers(port: port, "notified.example.test.", "A").count == 1 }
        #expect(notified, "the new record was not served within 5 s\n\(dnsd.stderr)\n\(nsd.log)")
        #expect(dnsd.stderr.contains("NOTIFY example.test. from 127.0.0.1"), "\(dnsd.stderr)")

        // NOTIFY from an address that is not a primary, or unsigned: REFUSED.
        let stranger = try Self.dig(port: port, ["-b", "127.0.0.2", "+opcode=notify", "example.test.", "SOA"])
        #expect(stranger.stdout.contains("status: REFUSED"), "\(stranger.transcript)")
        let unsigned = try Self.dig(port: port, ["+opcode=notify", "example.test.", "SOA"])
        #expect(unsigned.stdout.contains("status: REFUSED"), "\(unsigned.transcript)")
        let signed = try Self.dig(port: port, ["-y", key, "+opcode=notify", "example.test.", "SOA"])
        #expect(signed.stdout.contains("status: NOERROR") && signed.stdout.contains(" aa"), "\(signed.transcript)")

        // zone.list shows where the copy came from; zone.retransfer transfers the same serial again.
        let dnsctl = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        let list = try PeerTool.run(dnsctl, ["--socket", dnsd.controlSocket, "zone.list"], timeout: 30)
        #expect(list.stdout.contains("transferred_from") && list.stdout.contains("2026010102") && list.stdout.contains("127.0.0.1@\(nsd.port)"), "\(list.transcript)")
        let retransfer = try PeerTool.run(dnsctl, ["--socket", dnsd.controlSocket, "zone.retransfer", "example.test."], timeout: 30)
        #expect(retransfer.status == 0, "\(retransfer.transcript)")
        let again = Self.waitFor(seconds: 5) { dnsd.stderr.components(separatedBy: "AXFR serial 2026010102 from").count == 3 }
        #expect(again, "\(dnsd.stderr)")
        let shown = try PeerTool.run(dnsctl, ["--socket", dnsd.controlSocket, "zone.show", "example.test."], timeout: 30)
        #expect(shown.stdout.contains("notified") && shown.stdout.contains("192.0.2.88"), "\(shown.transcript)")

        // A short expire, then the primary goes away: the restarted secondary serves its copy
        // at once, and SERVFAIL once `expire` has passed with no primary answering.
        try Self.update(&nsd, zonePath: zonePath, text: try Self.zoneText(serial: 2026010103, expire: 8, extra: "notified 300 IN A 192.0.2.89\n"), dnsdPort: port)
        let third = try Self.waitFor(seconds: 5) { try Self.answers(port: port, "notified.example.test.", "A").first?.contains("192.0.2.89") == true }
        #expect(third, "\(dnsd.stderr)")
        #expect(try dnsd.stop() == 0)
        nsd.stop()
        let persisted = try String(contentsOfFile: directory.appendingPathComponent("secondary/example.test.zone").path, encoding: .utf8)
        #expect(persisted.contains("2026010103"), "\(persisted)")
        dnsd = try Self.startDnsd(directory: directory, port: port)
        let restarted = Date()
        #expect(try Self.answers(port: port, "notified.example.test.", "A").first?.contains("192.0.2.89") == true, "\(dnsd.stderr)")
        let expired = try Self.waitFor(seconds: 15) { try Self.dig(port: port, ["example.test.", "SOA"]).stdout.contains("status: SERVFAIL") }
        #expect(expired, "\(dnsd.stderr)")
        #expect(Date().timeIntervalSince(restarted) > 6, "expired too early")
        if expired { try? FileManager.default.removeItem(at: directory) }
    }
}
