import Foundation
import Testing

/// dnsd as a hidden primary for NSD (docs/replication.md): NSD loads the zone by AXFR signed
/// with TSIG, a `zone.add` reaches it by NOTIFY and an incremental transfer, and transfers that
/// are not allowed (wrong key, unlisted address, no key) are turned away.
@Suite("Replication to NSD", .serialized)
struct ReplicationNSDTests {
    static let keyName = "transfer.example."
    static let secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let wrongSecret = "HxwdHhcYGRobFBUWEBESEwwNDg8ICQoLBAUGBwABAgM="

    /// dnsd (transfers from 127.0.0.1 with the key, NOTIFY to `nsdPort`) and NSD as its
    /// secondary, started in that order; NSD has loaded the zone when `body` runs.
    static func withPrimaryAndNSD(metricsPort: UInt16? = nil, _ body: (ZoneEditHarness, NSDProcess) throws -> Void) throws {
        let nsdPort = try LoopbackPort.free()
        let harness = try primary(notifying: nsdPort, metricsPort: metricsPort)
        try harness.start()
        defer { _ = try? harness.stop() }
        let nsd = try NSDProcess(port: nsdPort, clauses: """
            key:
                name: \(keyName)
                algorithm: hmac-sha256
                secret: "\(secret)"
            zone:
                name: example.test.
                request-xfr: 127.0.0.1@\(harness.port) \(keyName)
                allow-notify: 127.0.0.1 \(keyName)

            """)
        defer { nsd.stop() }
        try nsd.waitUntilAnswering(timeout: 15)
        try body(harness, nsd)
    }

    /// A dnsd primary of example.test. that lets 127.0.0.1 transfer with the key and sends
    /// NOTIFY, signed, to `secondaryPort`.
    /// Its metrics are on `metricsPort` when given.
    static func primary(notifying secondaryPort: UInt16, metricsPort: UInt16? = nil) throws -> ZoneEditHarness {
        try ZoneEditHarness(
            compact: 65536,
            zoneSettings: ", transfer: {from: [127.0.0.1/32], keys: [\(keyName)]}, notify: [{address: \"127.0.0.1:\(secondaryPort)\", key: \(keyName)}]",
            topLevel: "tsig_keys:\n  - {name: \(keyName), algorithm: hmac-sha256, secret: \"\(secret)\"}"
                + (metricsPort.map { "\nmetrics: {listen: \"127.0.0.1:\($0)\"}" } ?? ""))
    }

    /// The value of the series of `metric` whose labels include each of `labels`.
    static func metric(port: UInt16, _ metric: String, _ labels: [String]) throws -> Double? {
        let scrape = try PeerTool.run(try PeerTool.require("curl"), ["-s", "http://127.0.0.1:\(port)/metrics"], timeout: 10)
        let line = scrape.stdout.split(separator: "\n").first { line in
            line.hasPrefix(metric + "{") && labels.allSatisfy { line.contains($0) }
        }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    static func digNSD(_ nsd: NSDProcess, _ name: String, _ type: String = "A") throws -> [String] {
        try dig(port: nsd.port, name, type)
    }

    static func dig(port: UInt16, _ name: String, _ type: String = "A") throws -> [String] {
        let result = try PeerTool.run(try PeerTool.require("dig"), ["+short", "+tries=1", "+time=2", "@127.0.0.1", "-p", "\(port)", name, type], timeout: 15)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Polls `port` until NAME A answers `expected`, for at most `seconds`; the last answer.
    static func waitForAnswer(port: UInt16, _ name: String, _ expected: [String], seconds: Double) throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [String] = []
        while Date() < deadline {
            seen = try dig(port: port, name)
            if seen == expected { break }
            usleep(100_000)
        }
        return seen
    }

    static func kdig(_ arguments: [String]) throws -> CommandResult {
        try PeerTool.run(try PeerTool.require("kdig"), arguments, timeout: 20)
    }

    @Test("NSD loads by AXFR with TSIG, and follows a zone.add by NOTIFY and IXFR")
    func nsdFollowsEdits() throws {
        let metricsPort = try LoopbackPort.free()
        try Self.withPrimaryAndNSD(metricsPort: metricsPort) { harness, nsd in
            #expect(try Self.digNSD(nsd, "www.example.test.") == (try harness.dig("www.example.test.")))
            #expect(try Self.digNSD(nsd, "example.test.", "SOA").first?.contains("2026010101") == true)
            let added = try harness.dnsctl(["zone.add", "example.test.", "replicated 300 IN A 192.0.2.77"])
            #expect(added.status == 0, "\(added.transcript)")
            let started = Date()
            let seen = try Self.waitForAnswer(port: nsd.port, "replicated.example.test.", ["192.0.2.77"], seconds: 5)
            // The issue's bound: the secondary serves an edit within 2 s of its acknowledgement.
            #expect(Date().timeIntervalSince(started) < 2, "took \(Date().timeIntervalSince(started)) s")
            #expect(seen == ["192.0.2.77"], "NSD did not serve the added record within 5 s\n\(nsd.log)\n\(harness.stderr)")
            // dnsd logs each transfer: NSD's second one was the diff, not the zone.
            let line = harness.stderr.split(separator: "\n").first { $0.contains("IXFR example.test. serial 2026010102") }
            #expect(line?.contains(": incremental,") == true, "\(harness.stderr)")
            #expect(harness.stderr.contains("acknowledged by 127.0.0.1@\(nsd.port)"), "\(harness.stderr)")
            let zone = #"zone="example.test.""#
            #expect(try Self.metric(port: metricsPort, "dnsd_zone_serial", [zone]) == 2026010102)
            #expect(try Self.metric(port: metricsPort, "dnsd_zone_transfers_total", [zone, #"result="incremental""#]) == 1)
            #expect(try Self.metric(port: metricsPort, "dnsd_zone_transfers_total", [zone, #"result="full""#]) ?? 0 >= 1)
            #expect(try Self.metric(port: metricsPort, "dnsd_zone_notifies_total", [zone, #"result="acknowledged""#]) == 1)
            let list = try harness.dnsctl(["zone.list"])
            #expect(list.stdout.contains("ixfr_from") && list.stdout.contains("2026010101") && list.stdout.contains("127.0.0.1@\(nsd.port)"), "\(list.transcript)")
        }
    }

    @Test("a config.reload that moves the serial sends NOTIFY; NSD's IXFR falls back to the whole zone")
    func reloadNotifies() throws {
        try Self.withPrimaryAndNSD { harness, nsd in
            let text = try String(contentsOfFile: harness.zonePath, encoding: .utf8)
                .replacingOccurrences(of: "2026010101 ; serial", with: "2026010105 ; serial") + "reloaded 300 IN A 192.0.2.79\n"
            try text.write(toFile: harness.zonePath, atomically: true, encoding: .utf8)
            let reload = try harness.dnsctl(["config.reload"])
            #expect(reload.status == 0, "\(reload.transcript)")
            let seen = try Self.waitForAnswer(port: nsd.port, "reloaded.example.test.", ["192.0.2.79"], seconds: 5)
            #expect(seen == ["192.0.2.79"], "NSD did not serve the reloaded record within 5 s\n\(nsd.log)\n\(harness.stderr)")
            // The history ends at the old serial: the changed file is sent whole.
            let line = harness.stderr.split(separator: "\n").first { $0.contains("IXFR example.test. serial 2026010105") }
            #expect(line?.contains(": full,") == true, "\(harness.stderr)")
        }
    }

    @Test("kdig IXFR from the old serial gets the diff; AXFR signed with the key verifies every message")
    func kdigTransfers() throws {
        try Self.withPrimaryAndNSD { harness, _ in
            _ = try harness.dnsctl(["zone.add", "example.test.", "diff 300 IN TXT \"one\""])
            let key = "hmac-sha256:\(Self.keyName):\(Self.secret)"
            let ixfr = try Self.kdig(["@127.0.0.1", "-p", "\(harness.port)", "-y", key, "IXFR=2026010101", "example.test.", "+noall", "+answer"])
            #expect(ixfr.status == 0, "\(ixfr.transcript)")
            let lines = ixfr.stdout.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }
            // New SOA, old SOA, (nothing deleted), new SOA, the TXT, new SOA.
            #expect(lines.count == 5, "\(ixfr.stdout)")
            #expect(lines.contains { $0.contains("diff.example.test.") && $0.contains("TXT") })
            let axfr = try Self.kdig(["@127.0.0.1", "-p", "\(harness.port)", "-y", key, "AXFR", "example.test."])
            #expect(axfr.status == 0 && !axfr.stdout.contains("WARNING") && axfr.stdout.contains("NOERROR"), "\(axfr.transcript)")
        }
    }

    @Test("a wrong key gets BADSIG, an unknown one BADKEY; an unlisted address or no key gets REFUSED; UDP AXFR is refused")
    func refusals() throws {
        try Self.withPrimaryAndNSD { harness, _ in
            let port = "\(harness.port)"
            let wrong = try Self.kdig(["@127.0.0.1", "-p", port, "-y", "hmac-sha256:\(Self.keyName):\(Self.wrongSecret)", "AXFR", "example.test."])
            // kdig reports the TSIG error of the NOTAUTH answer on stderr.
            #expect(wrong.transcript.contains("error 'BADSIG'"), "\(wrong.transcript)")
            let unknown = try Self.kdig(["@127.0.0.1", "-p", port, "-y", "hmac-sha256:other.example.:\(Self.secret)", "AXFR", "example.test."])
            #expect(unknown.transcript.contains("error 'BADKEY'"), "\(unknown.transcript)")
            let key = "hmac-sha256:\(Self.keyName):\(Self.secret)"
            let elsewhere = try Self.kdig(["@127.0.0.1", "-p", port, "-b", "127.0.0.2", "-y", key, "AXFR", "example.test."])
            #expect(elsewhere.transcript.contains("error 'REFUSED'"), "\(elsewhere.transcript)")
            let unsigned = try Self.kdig(["@127.0.0.1", "-p", port, "AXFR", "example.test."])
            #expect(unsigned.transcript.contains("error 'REFUSED'"), "\(unsigned.transcript)")
            // dig and kdig send AXFR over TCP whatever they are told: a raw datagram instead.
            let socket = try DNSSocket.udp(port: harness.port, timeout: 2)
            try socket.sendMessage(RawDNS.query(id: 0x5252, name: "example.test", type: 252))
            let header = socket.receiveMessage().flatMap(RawHeader.init)
            #expect(header?.rcode == RawRcode.refused)
            try socket.sendMessage(RawDNS.query(id: 0x5253, name: "example.test", type: 251))
            #expect(socket.receiveMessage().flatMap(RawHeader.init)?.truncated == true, "IXFR over UDP asks for TCP")
        }
    }
}
