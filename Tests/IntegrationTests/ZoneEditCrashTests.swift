import Foundation
import Testing

/// kill -9 in the middle of a stream of acknowledged zone edits loses none of them and never
/// leaves a zone file that does not parse (DESIGN.md "Data that must not be lost").
@Suite("Zone edits survive kill -9", .serialized)
struct ZoneEditCrashTests {
    /// One round per compaction threshold: 0 compacts after every edit (so the kill often lands
    /// inside a file rewrite), 1500 bytes every few edits, 1 MiB never.
    @Test("every acknowledged zone.add is there after kill -9 and restart", arguments: [0, 1500, 1 << 20])
    func killDuringEdits(compact: Int) throws {
        let harness = try ZoneEditHarness(compact: compact)
        var acknowledged: [String] = []
        for round in 0..<3 {
            try harness.start()
            let acked = AcknowledgedEdits()
            let socketPath = harness.socketPath
            let editor = Thread {
                // The control socket may come up a moment after the DNS listeners.
                var client: ControlSocketClient?
                for _ in 0..<100 where client == nil {
                    client = try? ControlSocketClient(path: socketPath, timeout: 10)
                    if client == nil { usleep(50_000) }
                }
                guard let client else { acked.fail("cannot connect to \(socketPath)"); return }
                for n in 0..<200 where !acked.stopped {
                    let name = "r\(round)-e\(n)"
                    let line = ZoneEditHarness.request(n, "zone.add", ["example.test.", ["\(name) 300 IN TXT \"edit \(n) of round \(round)\""]])
                    // Only a reply carrying a result counts as acknowledged.
                    guard let reply = try? client.call(line), reply["result"] != nil else {
                        if !acked.stopped { acked.fail("edit \(n) got no result before the kill") }
                        return
                    }
                    acked.append(name)
                }
            }
            editor.start()
            // Kill at a random moment once some edits were acknowledged.
            let delay = UInt32.random(in: 30_000...400_000)
            let deadline = Date().addingTimeInterval(20)
            while acked.names.count < 5 && Date() < deadline { usleep(2_000) }
            usleep(delay)
            harness.kill9()
            acked.stop()
            while !editor.isFinished { usleep(10_000) }
            let thisRound = acked.names
            #expect(thisRound.count >= 5, "round \(round): too few edits were acknowledged to test anything: \(acked.failure ?? "")")
            acknowledged += thisRound

            // The zone file on disk parses on its own and with the journal.
            let check = try DnsdProcess.runToCompletion(["--check-config", harness.configPath])
            #expect(check.status == 0, "round \(round): --check-config failed after kill -9\n\(check.transcript)")

            // And the zone file alone (without its journal) parses: never a torn file.
            let alone = harness.directory.appendingPathComponent("alone.zone").path
            try? FileManager.default.removeItem(atPath: alone)
            try FileManager.default.copyItem(atPath: harness.zonePath, toPath: alone)
            let aloneConfig = harness.directory.appendingPathComponent("alone.yaml").path
            try DnsdProcess.configText(port: harness.port, zoneFile: "alone.zone").write(toFile: aloneConfig, atomically: true, encoding: .utf8)
            let aloneCheck = try DnsdProcess.runToCompletion(["--check-config", aloneConfig])
            #expect(aloneCheck.status == 0, "round \(round): the zone file alone does not parse after kill -9\n\(aloneCheck.transcript)")

            // Restart on the same files: every acknowledged edit is served.
            try harness.start()
            let show = try harness.dnsctl(["zone.show", "example.test."])
            #expect(show.status == 0, "\(show.stderr)")
            let present = Set(show.stdout.split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) })
            let missing = acknowledged.filter { !present.contains($0) }
            #expect(missing.isEmpty, "compact \(compact) round \(round): acknowledged edits lost after kill -9: \(missing.prefix(10))")
            if let last = thisRound.last {
                #expect(try harness.dig("\(last).example.test.", "TXT").count == 1, "dig does not see \(last)")
            }
            _ = try harness.stop()
        }
        // No temp file left standing in for the zone file.
        let text = try String(contentsOfFile: harness.zonePath, encoding: .utf8)
        #expect(text.contains("SOA"))
    }
}

/// The edits dnsd acknowledged, shared between the editing thread and the test.
private final class AcknowledgedEdits: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    private let lock = NSLock()
    private var list: [String] = []
    private var isStopped = false
    private var firstFailure: String?

    var names: [String] { lock.withLock { list } }
    var stopped: Bool { lock.withLock { isStopped } }
    func append(_ name: String) { lock.withLock { list.append(name) } }
    func stop() { lock.withLock { isStopped = true } }
    var failure: String? { lock.withLock { firstFailure } }
    func fail(_ reason: String) { lock.withLock { if firstFailure == nil { firstFailure = reason } } }
}
