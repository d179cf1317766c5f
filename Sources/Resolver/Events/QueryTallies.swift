#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Top lists over windows longer than the event ring holds (up to a day), in bounded memory
/// and answered without a scan of anything that grows with traffic.
///
/// The query path is not touched: `run` reads the event ring every tenth of a second (a reader
/// like `queries.subscribe`) and adds each event's keys to the
/// current minute's summaries (`FrequentItems`, one per `TopList`, keyed by the events' own
/// values: text is made only for the keys a report shows). A closed minute is merged
/// into its hour. A window up to an hour merges its minutes, a longer one its hours, so a
/// call costs the same at 10 and at 100,000 queries a second. Events the ring overwrote
/// before they were read (more than its capacity in a tenth of a second) are counted as missed.
public final class QueryTallies: Sendable {
    /// Keys kept per list in a minute, and in an hour (twice as many between compactions).
    public static let minuteCapacity = 256
    public static let hourCapacity = 1024
    /// The longest window: a day.
    public static let longestWindow: UInt64 = 86_400

    private struct Bucket {
        /// The minute (or hour) since 1970 this bucket counts.
        var index: UInt64
        var lists: [FrequentItems<TopKey>]

        init(index: UInt64, capacity: Int) {
            self.index = index
            lists = TopList.allCases.map { _ in FrequentItems(capacity: capacity) }
        }
    }

    private struct State {
        var cursor: UInt64
        /// The last 60 closed minutes and the open one (last).
        var minutes: [Bucket] = []
        /// The last 24 hours and the current one (last), each holding its closed minutes.
        var hours: [Bucket] = []
        var missed: UInt64 = 0
        /// Events counted, and the CPU time the counting took, since start: what the summaries cost.
        var counted: UInt64 = 0
        var cpuNanos: UInt64 = 0
        /// When counting started, in seconds since 1970.
        var since: UInt64
    }

    private let state: NIOLockedValueBox<State>

    /// `now`: seconds since 1970; counting starts with what `ring` records from here on.
    public init(ring: QueryEventRing, now: UInt64) {
        state = NIOLockedValueBox(State(cursor: ring.cursor, since: now))
    }

    /// Reads `ring` every `interval` until the task is cancelled.
    public func run(ring: QueryEventRing, interval: Duration = .milliseconds(100), clock: @escaping @Sendable () -> UInt64) async {
        while !Task.isCancelled {
            drain(ring, now: clock())
            try? await Task.sleep(for: interval)
        }
    }

    /// Counts what `ring` gained since the last call into the minute of `now` (seconds since 1970).
    public func drain(_ ring: QueryEventRing, now: UInt64) {
        // Chunks keep each hold of the ring's lock, which the query path shares, short.
        let chunk = 4096
        let started = Self.threadCPUNanos()
        defer {
            let spent = Self.threadCPUNanos() &- started
            state.withLockedValue { $0.cpuNanos &+= spent }
        }
        var cursor = state.withLockedValue { $0.cursor }
        while true {
            let read = ring.read(from: cursor, limit: chunk)
            state.withLockedValue { state in
                Self.advance(&state, toMinute: now / 60)
                state.missed += read.missed
                state.counted += UInt64(read.events.count)
                state.cursor = read.next
                let last = state.minutes.count - 1
                for event in read.events {
                    for (index, list) in TopList.allCases.enumerated() {
                        if let key = list.key(for: event) { state.minutes[last].lists[index].add(key) }
                    }
                }
            }
            cursor = read.next
            if read.events.count < chunk { return }
        }
    }

    /// Events counted since start, those the ring overwrote before they were read, and the CPU
    /// time the counting took (`stats.get top`).
    public var cost: (counted: UInt64, missed: UInt64, cpuNanos: UInt64) {
        state.withLockedValue { ($0.counted, $0.missed, $0.cpuNanos) }
    }

    /// The calling thread's CPU time: `drain` never suspends, so this is its own.
    private static func threadCPUNanos() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// A window's lists: each list's `limit` largest estimates with the bound on their error.
    public struct Report: Sendable {
        /// Seconds the merged buckets span (the window rounded out to whole minutes or hours,
        /// and no further back than when counting started).
        public var covered: UInt64
        /// Queries counted in that span.
        public var queries: UInt64
        /// Events the ring overwrote before they were read, since start.
        public var missed: UInt64
        public var lists: [TopList: [(key: String, count: UInt64)]]
        /// Per list, how far below the true count an estimate may be.
        public var undercount: [TopList: UInt64]
    }

    public func report(window: UInt64, now: UInt64, lists wanted: [TopList], limit: Int) -> Report {
        let (buckets, covered, missed) = buckets(window: window, now: now)
        var report = Report(covered: covered, queries: 0, missed: missed, lists: [:], undercount: [:])
        for list in wanted {
            let merged = Self.merge(buckets, list)
            report.lists[list] = Self.ranked(merged.top(limit))
            report.undercount[list] = merged.undercount
        }
        // Every query has a name: the names list's total is the query count.
        let names = TopList.allCases.firstIndex(of: .names)!
        report.queries = buckets.reduce(0) { $0 + $1.lists[names].total }
        return report
    }

    /// One client's estimate over a window: at most its true count and at most `error` below it
    /// (a client the summaries no longer hold has an estimate of 0).
    public func estimate(ofClient client: ClientAddress, window: UInt64, now: UInt64) -> (count: UInt64, error: UInt64, covered: UInt64) {
        let (buckets, covered, _) = buckets(window: window, now: now)
        let merged = Self.merge(buckets, .clients)
        return (merged.counts[.address(client.withoutPort)] ?? 0, merged.undercount, covered)
    }

    /// Counted keys as text, largest first, equal counts in text order.
    private static func ranked(_ entries: [(key: TopKey, count: UInt64)]) -> [(key: String, count: UInt64)] {
        entries.map { (key: $0.key.description, count: $0.count) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }

    /// The buckets a window merges, the seconds they span and the events missed since start.
    private func buckets(window: UInt64, now: UInt64) -> (buckets: [Bucket], covered: UInt64, missed: UInt64) {
        let window = min(max(1, window), Self.longestWindow)
        return state.withLockedValue { state in
            Self.advance(&state, toMinute: now / 60)
            let from = now - min(now, window)
            let chosen: [Bucket]
            let start: UInt64
            if window <= 3600 {
                chosen = state.minutes.filter { ($0.index + 1) * 60 > from }
                start = (chosen.first?.index ?? now / 60) * 60
            } else {
                // The hours hold closed minutes only: the open minute is added on its own.
                let hours = state.hours.filter { ($0.index + 1) * 3600 > from }
                chosen = hours + state.minutes.suffix(1)
                start = hours.first.map { $0.index * 3600 } ?? (state.minutes.last?.index ?? now / 60) * 60
            }
            return (chosen, now - min(now, max(state.since, start)), state.missed)
        }
    }

    private static func merge(_ buckets: [Bucket], _ list: TopList) -> FrequentItems<TopKey> {
        let index = TopList.allCases.firstIndex(of: list)!
        var merged = FrequentItems<TopKey>(capacity: hourCapacity)
        for bucket in buckets { merged.merge(bucket.lists[index]) }
        return merged
    }

    /// The same report counted exactly from events the ring still holds (`window` seconds of them).
    public static func exactReport(_ events: [QueryEvent], window: UInt64, lists wanted: [TopList], limit: Int) -> Report {
        let counts = TopList.tally(events, lists: wanted)
        var report = Report(covered: window, queries: UInt64(events.count), missed: 0, lists: [:], undercount: [:])
        for list in wanted {
            let largest = (counts[list] ?? [:]).sorted { $0.value > $1.value }.prefix(max(0, limit))
            report.lists[list] = ranked(largest.map { (key: $0.key, count: $0.value) })
            report.undercount[list] = 0
        }
        return report
    }

    /// Closes the open minute when `minute` is past it (into its hour), and drops what falls
    /// out of the windows.
    private static func advance(_ state: inout State, toMinute minute: UInt64) {
        if let open = state.minutes.last, open.index >= minute { return }
        if var closed = state.minutes.popLast() {
            for index in closed.lists.indices { closed.lists[index].shrink() }
            let hour = closed.index / 60
            if state.hours.last?.index != hour { state.hours.append(Bucket(index: hour, capacity: hourCapacity)) }
            let last = state.hours.count - 1
            for index in closed.lists.indices { state.hours[last].lists[index].merge(closed.lists[index]) }
            state.minutes.append(closed)
        }
        state.minutes.append(Bucket(index: minute, capacity: minuteCapacity))
        state.minutes.removeAll { $0.index + 60 < minute }
        state.hours.removeAll { $0.index + 24 < minute / 60 }
    }
}
