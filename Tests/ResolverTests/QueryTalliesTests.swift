import DNSProto
import Testing
@testable import Resolver

@Suite("Top-list summaries")
struct QueryTalliesTests {
    /// Ten keys with 50,000 down to 5,000 occurrences among 725,000 keys seen once, interleaved.
    static func stream() -> (keys: [String], truth: [String: UInt64]) {
        var keys: [String] = []
        var truth: [String: UInt64] = [:]
        for rank in 0..<10 {
            let count = 50_000 - 5_000 * rank
            keys += Array(repeating: "heavy\(rank)", count: count)
            truth["heavy\(rank)"] = UInt64(count)
        }
        keys += (0..<725_000).map { "once\($0)" }
        var generator = SystemRandomNumberGenerator()
        keys.shuffle(using: &generator)
        return (keys, truth)
    }

    static func expectWithinBounds(_ summary: FrequentItems<String>, _ truth: [String: UInt64], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(summary.undercount <= summary.total / UInt64(summary.capacity + 1), sourceLocation: sourceLocation)
        let top = summary.top(10)
        #expect(top.map(\.key) == (0..<10).map { "heavy\($0)" }, sourceLocation: sourceLocation)
        for entry in top {
            let real = truth[entry.key]!
            #expect(entry.count <= real && entry.count + summary.undercount >= real, "\(entry.key): \(entry.count) of \(real)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func aMillionKeysKeepTheTrueTopTenWithinTheBound() {
        let (keys, truth) = Self.stream()
        var summary = FrequentItems<String>(capacity: 256)
        for key in keys { summary.add(key) }
        #expect(summary.total == 1_000_000)
        #expect(summary.counts.count <= 512, "bounded memory")
        Self.expectWithinBounds(summary, truth)
    }

    @Test func mergedHalvesKeepTheBound() {
        let (keys, truth) = Self.stream()
        var first = FrequentItems<String>(capacity: 256), second = FrequentItems<String>(capacity: 256)
        for key in keys.prefix(keys.count / 2) { first.add(key) }
        for key in keys.dropFirst(keys.count / 2) { second.add(key) }
        first.shrink()
        #expect(first.counts.count <= 256)
        var merged = FrequentItems<String>(capacity: 256)
        merged.merge(first)
        merged.merge(second)
        #expect(merged.total == 1_000_000)
        Self.expectWithinBounds(merged, truth)
    }

    static func event(_ name: String, rcode: Rcode = .noError) -> QueryEvent {
        QueryEvent(timeNanos: 0, client: nil, transport: .udp, name: try! DNSName(name), type: .a, rcode: rcode,
                   latencyNanos: 1000, source: .server, truncated: false, dnssecOK: false, responseBytes: 12)
    }

    static func names(_ report: QueryTallies.Report) -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: (report.lists[.names] ?? []).map { ($0.key, $0.count) })
    }

    @Test func windowsMergeMinutesAndHours() {
        let ring = QueryEventRing(capacity: 1000)
        let tallies = QueryTallies(ring: ring, now: 0)
        for _ in 0..<100 { ring.record(Self.event("a.test.")) }
        tallies.drain(ring, now: 30)
        for _ in 0..<50 { ring.record(Self.event("b.test.", rcode: .nxDomain)) }
        tallies.drain(ring, now: 90)

        // Windows round out to whole minutes.
        #expect(Self.names(tallies.report(window: 60, now: 90, lists: [.names], limit: 5)) == ["a.test.": 100, "b.test.": 50])
        let lastMinute = tallies.report(window: 20, now: 90, lists: [.names, .nxdomain], limit: 5)
        #expect(Self.names(lastMinute) == ["b.test.": 50])
        #expect(lastMinute.covered == 30 && lastMinute.queries == 50)
        #expect(lastMinute.lists[.nxdomain]?.first?.key == "b.test.")

        // Two hours on, the minutes are gone from the hour window but their hour is in the day.
        for _ in 0..<10 { ring.record(Self.event("c.test.")) }
        tallies.drain(ring, now: 7230)
        #expect(Self.names(tallies.report(window: 3600, now: 7230, lists: [.names], limit: 5)) == ["c.test.": 10])
        let day = tallies.report(window: 86400, now: 7230, lists: [.names], limit: 5)
        #expect(Self.names(day) == ["a.test.": 100, "b.test.": 50, "c.test.": 10])
        #expect(day.queries == 160 && day.covered == 7230)
        // A day later still, nothing is left.
        #expect(tallies.report(window: 86400, now: 7230 + 90_000, lists: [.names], limit: 5).queries == 0)
    }

    @Test func eventsTheRingOverwroteBeforeTheyWereReadAreCountedAsMissed() {
        let ring = QueryEventRing(capacity: 10)
        let tallies = QueryTallies(ring: ring, now: 0)
        for _ in 0..<25 { ring.record(Self.event("a.test.")) }
        tallies.drain(ring, now: 1)
        let report = tallies.report(window: 60, now: 1, lists: [.names], limit: 1)
        #expect(report.missed == 15 && report.queries == 10)
    }
}
