import Foundation
import Testing

/// `queries.top` beyond the event ring: a real dnsd gets 150,000 queries (more than twice the
/// ring's 65,536 events) with known frequencies from ten loopback clients, and the per-minute
/// summaries must still rank the true top names, NXDOMAIN names and clients, each count within
/// the error the reply states.
@Suite("Top lists over long windows", .serialized)
struct QueriesTopTests {
    struct Sent: Decodable {
        var sent: Int
        var answered: Int
        var names: [String: Int]
        var clients: [String: Int]
    }

    struct Entry: Decodable, Equatable {
        var key: String
        var count: Int
        var error: Int?
    }

    struct Top: Decodable {
        var source: String
        var queries: Int
        var missed: Int?
        var names: [Entry]?
        var clients: [Entry]?
        var nxdomain: [Entry]?
    }

    struct ClientShow: Decodable {
        struct Recent: Decodable {
            var complete: Bool
            var queries: Int
            var names: [Entry]
        }
        struct Summaries: Decodable {
            var queries: Int
            var error: Int
        }
        var recent: Recent
        var summaries: Summaries
    }

    /// Ten heavy names 2,000 queries apart, two NXDOMAIN names, and 40,000 names asked once.
    static func plan() -> [(String, Int)] {
        var plan = (1...10).map { ("heavy\($0).wild.example.test.", 22_000 - 2_000 * $0) }
        plan += [("gone1.example.test.", 3_000), ("gone2.example.test.", 1_500)]
        plan += (0..<40_000).map { ("tail\($0).wild.example.test.", 1) }
        return plan
    }

    /// Client 127.0.0.(k+1) asks every (k)th query of each name (k = 1...10, in turn), so their
    /// shares differ by thousands.
    static func planFile(in directory: URL) throws -> String {
        let weights = (1...10).map { 11 - $0 }
        var counts: [[Any]] = []
        for (name, count) in plan() {
            var perClient = weights.map { count * $0 / 55 }
            perClient[0] += count - perClient.reduce(0, +)
            for (index, share) in perClient.enumerated() where share > 0 {
                counts.append([name, "127.0.0.\(index + 2)", share])
            }
        }
        let path = directory.appendingPathComponent("plan.json").path
        try JSONSerialization.data(withJSONObject: counts).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func top(_ dnsd: DnsdProcess, _ arguments: [String]) throws -> Top {
        let result = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "queries.top"] + arguments)
        guard result.status == 0 else { throw IntegrationError("queries.top failed\n\(result.transcript)") }
        return try JSONDecoder().decode(Top.self, from: Data(result.stdout.utf8))
    }

    /// `entries` rank `truth`'s ten largest in order, and each count is at most its true count
    /// plus `slack` (answers dnsd sent that the script lost) and at least the true count minus
    /// the stated error.
    static func expectRanked(_ entries: [Entry], _ truth: [String: Int], slack: Int = 50,
                             sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let expected = truth.sorted { $0.value > $1.value }.prefix(entries.count).map(\.key)
        #expect(entries.map(\.key) == expected, sourceLocation: sourceLocation)
        for entry in entries {
            let real = truth[entry.key] ?? 0
            #expect(entry.count <= real + slack && entry.count + (entry.error ?? 0) + slack >= real,
                    "\(entry.key): reported \(entry.count) (error \(entry.error ?? 0)), sent and answered \(real)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func summariesRankTheTrueTopBeyondTheRing() throws {
        try DnsdProcess.with { dnsd in
            // A fresh daemon's ring holds everything: exact counts.
            let early = try Self.top(dnsd, ["3600", "10"])
            #expect(early.source == "ring")

            let python = try PeerTool.requirePythonWithDNSPython()
            let script = try Fixtures.path("weighted_queries.py")
            let run = try PeerTool.run(python, [script, String(dnsd.port), try Self.planFile(in: dnsd.directory)], timeout: 300)
            guard run.status == 0 else { throw IntegrationError("weighted_queries.py failed\n\(run.transcript)") }
            let sent = try JSONDecoder().decode(Sent.self, from: Data(run.stdout.utf8))
            #expect(sent.answered > 140_000, "answered \(sent.answered) of \(sent.sent)")

            // The summaries read the ring every tenth of a second: wait until they hold every answer.
            var top = try Self.top(dnsd, ["3600", "10"])
            let deadline = Date().addingTimeInterval(10)
            while top.queries < sent.answered, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.2)
                top = try Self.top(dnsd, ["3600", "10"])
            }
            #expect(top.source == "tallies", "150,000 queries do not fit the 65,536-event ring")
            #expect(top.missed == 0)
            #expect(top.queries >= sent.answered && top.queries <= sent.answered + 100, "\(top.queries) vs \(sent.answered)")
            let cost = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "stats.get", "top"])
            let counted = try JSONDecoder().decode([String: Int].self, from: Data(cost.stdout.utf8))
            #expect((counted["top.counted"] ?? 0) >= sent.answered && counted["top.missed"] == 0 && counted["top.cpu_ms"] != nil,
                    "\(cost.transcript)")
            Self.expectRanked(top.names ?? [], sent.names)
            Self.expectRanked(top.clients ?? [], sent.clients)

            let day = try Self.top(dnsd, ["86400", "2", "nxdomain"])
            #expect(day.names == nil, "kind narrows the reply to one list")
            Self.expectRanked(day.nxdomain ?? [], sent.names.filter { $0.key.hasPrefix("gone") })

            // One client: its count over the hour from the summaries, its recent queries from the ring.
            let show = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "clients.show", "127.0.0.3", "3600"])
            let client = try JSONDecoder().decode(ClientShow.self, from: Data(show.stdout.utf8))
            let truth = sent.clients["127.0.0.3"] ?? 0
            #expect(client.summaries.queries >= truth && client.summaries.queries <= truth + 50, "\(show.transcript)")
            #expect(!client.recent.complete && client.recent.queries > 0 && client.recent.queries < truth)
            #expect(client.recent.names.allSatisfy { $0.key.hasSuffix("example.test.") })
            let stranger = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "clients.show", "127.0.0.99"])
            #expect(stranger.stdout.contains(#""queries":0"#), "\(stranger.transcript)")
            let bad = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["clients.show", "not-an-address"])
            #expect(bad.status != 0 && bad.stderr.contains("address"), "\(bad.transcript)")

            let unknown = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["queries.top", "60", "5", "colours"])
            #expect(unknown.status != 0 && unknown.stderr.contains("kind"), "\(unknown.transcript)")
        }
    }
}
