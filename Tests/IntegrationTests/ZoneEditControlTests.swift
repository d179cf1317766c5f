import Foundation
import Testing

/// zone.* methods against a real dnsd: edits made with dnsctl are served to dig, survive a
/// restart, transactions are bound to their connection, and a broken file keeps the zone.
@Suite("Zone edits over the control socket", .serialized)
struct ZoneEditControlTests {
    @Test("dnsctl zone.add is served by dig, bumps the serial, and zone.delete removes it")
    func addDelete() throws {
        let harness = try ZoneEditHarness(compact: 65536)
        try harness.start()
        #expect(try harness.serial() == 2026010101)

        let add = try harness.dnsctl(["zone.add", "example.test.", "www2 300 IN A 192.0.2.9"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("2026010102"))
        #expect(try harness.dig("www2.example.test.") == ["192.0.2.9"])
        #expect(try harness.serial() == 2026010102)

        let get = try harness.dnsctl(["--json", "zone.get", "www2.example.test.", "A"])
        #expect(get.stdout.contains("www2.example.test. 300 IN A 192.0.2.9"), "\(get.stdout)")
        let list = try harness.dnsctl(["--json", "zone.list"])
        #expect(list.stdout.contains(#""dirty":true"#) && list.stdout.contains(#""journal_entries":1"#), "\(list.stdout)")
        #expect(try harness.dnsctl(["zone.show", "example.test."]).stdout.contains("www2\t300\tIN\tA\t192.0.2.9"))

        // Refused whole with the record named; exit status 1, nothing changes.
        let bad = try harness.dnsctl(["zone.add", "example.test.", "ok 300 IN A 192.0.2.10", "www CNAME elsewhere.test."])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("www.example.test.") && bad.stderr.contains("CNAME"), "\(bad.stderr)")
        #expect(try harness.dig("ok.example.test.").isEmpty)
        #expect(try harness.serial() == 2026010102)

        let delete = try harness.dnsctl(["zone.delete", "example.test.", "www2", "A"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(try harness.dig("www2.example.test.").isEmpty)
        #expect(try harness.serial() == 2026010103)

        // Journaled: a restart replays it.
        _ = try harness.dnsctl(["zone.add", "example.test.", "after 60 IN TXT \"kept\""])
        #expect(try harness.stop() == 0)
        try harness.start()
        #expect(try harness.dig("after.example.test.", "TXT") == ["\"kept\""])
        #expect(try harness.serial() == 2026010104)
        #expect(try harness.stop() == 0)
    }

    @Test("zone.begin/commit applies staged edits at once; abort and a closed connection discard them")
    func transactions() throws {
        let harness = try ZoneEditHarness(compact: 65536)
        try harness.start()
        defer { _ = try? harness.stop() }
        let client = try ControlSocketClient(path: harness.socketPath)
        typealias H = ZoneEditHarness
        #expect(try client.call(H.request(1, "zone.begin", ["example.test."]))["result"] != nil)
        // Replace www's A/AAAA by a CNAME: invalid midway, valid at commit.
        let staged = try client.call(H.request(2, "zone.add", ["example.test.", ["www 300 IN CNAME mail"]]))
        #expect("\(staged["result"] ?? "")".contains("staged"))
        _ = try client.call(H.request(3, "zone.delete", ["example.test.", "www", "A"]))
        _ = try client.call(H.request(4, "zone.delete", ["example.test.", "www", "AAAA"]))
        // Nothing visible before the commit.
        #expect(try harness.dig("www.example.test.") == ["192.0.2.80"])
        let commit = try client.call(H.request(5, "zone.commit", ["example.test."]))
        #expect(commit["error"] == nil, "\(commit)")
        #expect(try harness.dig("www.example.test.") == ["mail.example.test.", "192.0.2.25"])
        #expect(try harness.serial() == 2026010102, "one serial bump for the whole transaction")

        // Abort discards.
        _ = try client.call(H.request(6, "zone.begin", ["example.test."]))
        _ = try client.call(H.request(7, "zone.add", ["example.test.", ["gone 300 IN A 192.0.2.77"]]))
        let abort = try client.call(H.request(8, "zone.abort", ["example.test."]))
        #expect("\(abort["result"] ?? "")".contains("discarded"))
        #expect(try harness.dig("gone.example.test.").isEmpty)

        // A refused commit is refused whole and names the record.
        _ = try client.call(H.request(9, "zone.begin", ["example.test."]))
        _ = try client.call(H.request(10, "zone.add", ["example.test.", ["fine 300 IN A 192.0.2.78"]]))
        _ = try client.call(H.request(11, "zone.add", ["example.test.", ["mail 300 IN CNAME www"]]))
        let refused = try client.call(H.request(12, "zone.commit", ["example.test."]))
        #expect("\(refused["error"] ?? "")".contains("mail.example.test. 300 IN CNAME"), "\(refused)")
        #expect(try harness.dig("fine.example.test.").isEmpty)

        // A connection that closes with an open transaction aborts it.
        do {
            let other = try ControlSocketClient(path: harness.socketPath)
            _ = try other.call(H.request(1, "zone.begin", ["example.test."]))
            _ = try other.call(H.request(2, "zone.add", ["example.test.", ["orphan 300 IN A 192.0.2.79"]]))
        }
        usleep(200_000)
        #expect(try harness.dig("orphan.example.test.").isEmpty)
        // Another connection's transaction is not ours to commit.
        let notMine = try client.call(H.request(13, "zone.commit", ["example.test."]))
        #expect(notMine["error"] != nil)
        #expect(try harness.serial() == 2026010102)
    }

    @Test("zone.reload of a broken file keeps serving and reports file:line:column")
    func brokenReload() throws {
        let harness = try ZoneEditHarness(compact: 65536)
        try harness.start()
        defer { _ = try? harness.stop() }
        _ = try harness.dnsctl(["zone.add", "example.test.", "edited 300 IN A 192.0.2.90"])
        var text = try String(contentsOfFile: harness.zonePath, encoding: .utf8)
        text += "broken      IN  A     192.0.2\n"
        try text.write(toFile: harness.zonePath, atomically: true, encoding: .utf8)
        let lineNumber = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1

        let reload = try harness.dnsctl(["zone.reload", "example.test."])
        #expect(reload.status == 1)
        #expect(reload.stderr.contains("example.test.zone:\(lineNumber):23:"), "\(reload.stderr)")
        #expect(try harness.dig("www.example.test.") == ["192.0.2.80"])
        #expect(try harness.dig("edited.example.test.") == ["192.0.2.90"])

        // Fixed file: the reload takes it, with the journal replayed on top.
        try (text.replacingOccurrences(of: "192.0.2\n", with: "192.0.2.91\n")).write(toFile: harness.zonePath, atomically: true, encoding: .utf8)
        #expect(try harness.dnsctl(["zone.reload", "example.test."]).status == 0)
        #expect(try harness.dig("broken.example.test.") == ["192.0.2.91"])
        #expect(try harness.dig("edited.example.test.") == ["192.0.2.90"])
    }
}
