import Foundation
import Testing

/// dnsd as a primary for Knot DNS: Knot loads the zone by AXFR with TSIG and follows a
/// `zone.add` by NOTIFY and IXFR (the nsd.conf counterpart is ReplicationNSDTests).
@Suite("Replication to Knot", .serialized)
struct ReplicationKnotTests {
    @Test("Knot loads by AXFR with TSIG, and follows a zone.add by NOTIFY and IXFR")
    func knotFollowsEdits() throws {
        let knotPort = try LoopbackPort.free()
        let harness = try ReplicationNSDTests.primary(notifying: knotPort)
        try harness.start()
        defer { _ = try? harness.stop() }
        let knot = try KnotProcess(port: knotPort, zone: "example.test.", primaryPort: harness.port,
                                   keyName: ReplicationNSDTests.keyName, secret: ReplicationNSDTests.secret)
        defer { knot.stop() }
        try knot.waitUntilServing("example.test.")
        #expect(try ReplicationNSDTests.dig(port: knotPort, "www.example.test.") == (try harness.dig("www.example.test.")))
        let added = try harness.dnsctl(["zone.add", "example.test.", "replicated 300 IN A 192.0.2.78"])
        #expect(added.status == 0, "\(added.transcript)")
        let started = Date()
        let seen = try ReplicationNSDTests.waitForAnswer(port: knotPort, "replicated.example.test.", ["192.0.2.78"], seconds: 5)
        // The bound: the secondary serves an edit within 2 s of its acknowledgement.
        #expect(Date().timeIntervalSince(started) < 2, "took \(Date().timeIntervalSince(started)) s")
        #expect(seen == ["192.0.2.78"], "Knot did not serve the added record within 5 s\n\(knot.log)\n\(harness.stderr)")
        #expect(harness.stderr.contains("IXFR example.test. serial 2026010102"), "\(harness.stderr)")
        #expect(knot.log.contains("IXFR"), "\(knot.log)")
    }
}
