import DNSProto
import Testing
@testable import Resolver

@Suite("Query event ring")
struct QueryEventRingTests {
    static func event(time: UInt64, latency: UInt64 = 1000) -> QueryEvent {
        QueryEvent(timeNanos: time, client: nil, transport: .udp, name: .root, type: .a, rcode: .noError,
                   latencyNanos: latency, source: .server, truncated: false, dnssecOK: false, responseBytes: 12)
    }

    @Test func readersGetWhatIsNewAndLearnWhatTheyMissed() {
        let ring = QueryEventRing(capacity: 4)
        let start = ring.cursor
        for time in 1...3 { ring.record(Self.event(time: UInt64(time))) }
        let first = ring.read(from: start)
        #expect(first.events.map(\.timeNanos) == [1, 2, 3])
        #expect(first.missed == 0)
        for time in 4...9 { ring.record(Self.event(time: UInt64(time))) }
        // Capacity 4: events 4 and 5 were overwritten before this reader came back.
        let second = ring.read(from: first.next)
        #expect(second.events.map(\.timeNanos) == [6, 7, 8, 9])
        #expect(second.missed == 2)
        #expect(ring.read(from: second.next).events.isEmpty)
    }

    @Test func windowedReadsStopAtTheWindowEdge() {
        let ring = QueryEventRing(capacity: 8)
        for time in 1...12 { ring.record(Self.event(time: UInt64(time) * 100, latency: UInt64(time))) }
        #expect(ring.recent(sinceNanos: 1000).map(\.timeNanos) == [1000, 1100, 1200])
        #expect(ring.latencies(sinceNanos: 1000).sorted() == [10, 11, 12])
        // Older than what the ring holds: only the 8 newest are there.
        #expect(ring.recent(sinceNanos: 0).count == 8)
    }
}

@Suite("Per-second latency histograms")
struct LatencyBySecondTests {
    @Test func windowsSumTheirSecondsAndForgetOlderOnes() {
        let recent = LatencyBySecond()
        recent.record(second: 100, latencyNanos: 3_000)      // 3 µs: bucket 2 (< 4 µs)
        recent.record(second: 101, latencyNanos: 500_000)    // 500 µs: bucket 9 (< 512 µs)
        recent.record(second: 101, latencyNanos: 500_000)
        #expect(recent.histogram(window: 1, now: 101).reduce(0, +) == 2)
        #expect(recent.histogram(window: 2, now: 101).reduce(0, +) == 3)
        #expect(recent.histogram(window: 2, now: 101)[QueryCounters.bucket(nanos: 3_000)] == 1)
        // 64 seconds later the slot of second 100 is reused and starts from zero.
        recent.record(second: 164, latencyNanos: 3_000)
        #expect(recent.histogram(window: 10, now: 164).reduce(0, +) == 1)
        // Second 101's slot was not reused, so a window ending at 110 still sees its two.
        #expect(recent.histogram(window: 10, now: 110).reduce(0, +) == 2)
    }
}
