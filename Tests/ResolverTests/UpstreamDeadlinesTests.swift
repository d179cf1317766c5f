import NIOCore
import Testing
@testable import Resolver

/// The deadline queues behind the upstream sockets' single timer: what expires when, and that
/// an answered query or a reused ID never times out a query that is still waiting.
@Suite("Upstream deadlines")
struct UpstreamDeadlinesTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("only waiting queries at or past their deadline expire, in sending order")
    func expiresDueWaitingQueries() {
        var deadlines = UpstreamDeadlines()
        var waiting: [UInt16: UInt64] = [1: 1, 2: 2, 3: 3]
        deadlines.add(id: 1, serial: 1, timeout: .seconds(2), now: start)
        deadlines.add(id: 2, serial: 2, timeout: .seconds(2), now: start + .milliseconds(100))
        deadlines.add(id: 3, serial: 3, timeout: .seconds(2), now: start + .milliseconds(200))
        waiting[2] = nil  // answered
        let isWaiting = { (id: UInt16, serial: UInt64) in waiting[id] == serial }
        #expect(deadlines.earliest(isWaiting: isWaiting) == start + .seconds(2))
        #expect(deadlines.expired(at: start + .milliseconds(1_999), isWaiting: isWaiting).isEmpty)
        let due = deadlines.expired(at: start + .milliseconds(2_150), isWaiting: isWaiting)
        #expect(due.map(\.id) == [1], "query 2 was answered; query 3 is not due yet")
        waiting[1] = nil
        #expect(deadlines.earliest(isWaiting: isWaiting) == start + .milliseconds(2_200))
        #expect(deadlines.expired(at: start + .seconds(3), isWaiting: isWaiting).map(\.id) == [3])
        waiting[3] = nil
        #expect(deadlines.earliest(isWaiting: isWaiting) == nil)
    }

    @Test("an ID reused after an answer keeps its own, later deadline")
    func reusedIDKeepsItsDeadline() {
        var deadlines = UpstreamDeadlines()
        deadlines.add(id: 7, serial: 1, timeout: .seconds(1), now: start)
        // Query 1 is answered; the same ID goes out again 900 ms later as serial 2.
        deadlines.add(id: 7, serial: 2, timeout: .seconds(1), now: start + .milliseconds(900))
        let waiting: [UInt16: UInt64] = [7: 2]
        let isWaiting = { (id: UInt16, serial: UInt64) in waiting[id] == serial }
        #expect(deadlines.expired(at: start + .milliseconds(1_100), isWaiting: isWaiting).isEmpty,
                "the first send's deadline must not time out the second")
        #expect(deadlines.expired(at: start + .milliseconds(1_900), isWaiting: isWaiting).map(\.serial) == [2])
    }

    @Test("a shorter timeout sent later expires first")
    func timeoutsAreQueuedApart() {
        var deadlines = UpstreamDeadlines()
        deadlines.add(id: 1, serial: 1, timeout: .seconds(5), now: start)
        deadlines.add(id: 2, serial: 2, timeout: .milliseconds(300), now: start + .milliseconds(100))
        let isWaiting = { (_: UInt16, _: UInt64) in true }
        #expect(deadlines.earliest(isWaiting: isWaiting) == start + .milliseconds(400))
        #expect(deadlines.expired(at: start + .milliseconds(500), isWaiting: isWaiting).map(\.id) == [2])
        #expect(deadlines.earliest(isWaiting: isWaiting) == start + .seconds(5))
    }
}
