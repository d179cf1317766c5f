import NIOConcurrencyHelpers

/// The most recent query events, in a fixed-size ring.
///
/// The query path appends under a short lock (a copy of one struct); readers take what
/// arrived after their cursor. A reader that falls more than `capacity` behind learns how
/// many events it missed, and the writer never waits for it.
public final class QueryEventRing: QueryObserver, Sendable {
    public let capacity: Int
    private struct State {
        var slots: [QueryEvent?]
        /// Sequence number of the next event written; event `n` lives in slot `n % capacity`.
        var next: UInt64 = 0
    }
    private let state: NIOLockedValueBox<State>

    public init(capacity: Int = 65536) {
        self.capacity = max(1, capacity)
        state = NIOLockedValueBox(State(slots: Array(repeating: nil, count: max(1, capacity))))
    }

    public func record(_ event: QueryEvent) {
        state.withLockedValue { state in
            state.slots[Int(state.next % UInt64(capacity))] = event
            state.next += 1
        }
    }

    /// A burst's events under one lock.
    public func recordAnswered(_ events: [QueryEvent]) {
        state.withLockedValue { state in
            for event in events {
                state.slots[Int(state.next % UInt64(capacity))] = event
                state.next += 1
            }
        }
    }

    /// The sequence number the next event will get: a new reader starts here.
    public var cursor: UInt64 { state.withLockedValue { $0.next } }

    /// Events from `cursor` on (at most `limit`), the cursor to continue from, and how many
    /// events were overwritten before this reader got to them.
    public func read(from cursor: UInt64, limit: Int = .max) -> (events: [QueryEvent], next: UInt64, missed: UInt64) {
        state.withLockedValue { state in
            let oldest = state.next > UInt64(capacity) ? state.next - UInt64(capacity) : 0
            let start = max(cursor, oldest)
            let missed = start - min(cursor, start)
            let end = min(state.next, start + UInt64(max(0, limit)))
            var events: [QueryEvent] = []
            events.reserveCapacity(Int(end - start))
            var sequence = start
            while sequence < end {
                if let event = state.slots[Int(sequence % UInt64(capacity))] { events.append(event) }
                sequence += 1
            }
            return (events, end, missed)
        }
    }

    /// Every event still held whose time is at or after `sinceNanos`, oldest first (for
    /// windowed summaries). Walks back from the newest event and stops at the window's edge,
    /// so the lock the query path shares is held only as long as the window needs.
    public func recent(sinceNanos: UInt64) -> [QueryEvent] {
        var events: [QueryEvent] = []
        walkBack(sinceNanos: sinceNanos) { events.append($0) }
        return events.reversed()
    }

    /// Whether every event since `sinceNanos` is still held: nothing was overwritten yet, or
    /// the oldest event held is older than that.
    public func holdsEverything(sinceNanos: UInt64) -> Bool {
        state.withLockedValue { state in
            guard state.next > UInt64(capacity) else { return true }
            let oldest = state.slots[Int(state.next % UInt64(capacity))]
            return (oldest?.timeNanos ?? 0) < sinceNanos
        }
    }

    /// The latencies (ns) of the events since `sinceNanos`: plain integers, so the copy made
    /// under the lock retains nothing.
    public func latencies(sinceNanos: UInt64) -> [UInt64] {
        var latencies: [UInt64] = []
        walkBack(sinceNanos: sinceNanos) { latencies.append($0.latencyNanos) }
        return latencies
    }

    private func walkBack(sinceNanos: UInt64, _ body: (QueryEvent) -> Void) {
        state.withLockedValue { state in
            let oldest = state.next > UInt64(capacity) ? state.next - UInt64(capacity) : 0
            var sequence = state.next
            while sequence > oldest {
                sequence -= 1
                guard let event = state.slots[Int(sequence % UInt64(capacity))], event.timeNanos >= sinceNanos else { return }
                body(event)
            }
        }
    }
}
