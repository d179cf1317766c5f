import Atomics

/// What the UDP workers report beyond their queries: the batch-wait guard (BatchWaitGuard.swift)
/// at work. How often a worker found this host ending its `udp.batch_wait` sleeps late and
/// stopped them, and how many workers are blocking on the socket for that reason now. Without
/// it an operator saw the guard only in one log line per worker. Read by `stats.get`
/// (`udp.batch_wait.*`) and `/metrics` (`dnsd_udp_batch_wait_*`).
///
/// Also the in-flight gauges of the workers (`InFlightLimits`): questions their relays wait on
/// and misses their event loops hold, now and at most (per worker, the figure the caps bound).
/// A relay publishes its count once per pass of its loop, not per query.
public final class UDPWorkerTelemetry: Sendable {
    private let suspensionCount = ManagedAtomic<UInt64>(0)
    private let suspendedCount = ManagedAtomic<Int>(0)
    private let relayWaitingCount = ManagedAtomic<Int>(0)
    private let relayWaitingMost = ManagedAtomic<Int>(0)
    private let missWaitingCount = ManagedAtomic<Int>(0)
    private let missWaitingMost = ManagedAtomic<Int>(0)

    public init() {}

    /// Times a worker's guard stopped its waits, since start.
    public var suspensions: UInt64 { suspensionCount.load(ordering: .relaxed) }
    /// Workers blocking on the socket now instead of sleeping their wait.
    public var suspendedWorkers: Int { suspendedCount.load(ordering: .relaxed) }

    func suspended() {
        suspensionCount.wrappingIncrement(ordering: .relaxed)
        suspendedCount.wrappingIncrement(ordering: .relaxed)
    }

    func resumed() { suspendedCount.wrappingDecrement(ordering: .relaxed) }

    /// Questions the relays of all workers wait on now.
    public var relayWaiting: Int { relayWaitingCount.load(ordering: .relaxed) }
    /// The most one worker's relay has waited on at once since start (bounded by `limits.relay_waiting`).
    public var relayWaitingPeak: Int { relayWaitingMost.load(ordering: .relaxed) }
    /// Misses the event loops of all workers hold now.
    public var missWaiting: Int { missWaitingCount.load(ordering: .relaxed) }
    /// The most one worker's event loop has held at once since start (bounded by `limits.miss_waiting`).
    public var missWaitingPeak: Int { missWaitingMost.load(ordering: .relaxed) }

    /// One worker's relay went from `old` to `new` questions waiting.
    func relayWaitingChanged(from old: Int, to new: Int) {
        relayWaitingCount.wrappingIncrement(by: new - old, ordering: .relaxed)
        Self.raise(relayWaitingMost, to: new)
    }

    /// One worker's event loop now holds `count` misses, one more or one fewer than before.
    func missWaitingChanged(by delta: Int, to count: Int) {
        missWaitingCount.wrappingIncrement(by: delta, ordering: .relaxed)
        Self.raise(missWaitingMost, to: count)
    }

    private static func raise(_ peak: ManagedAtomic<Int>, to value: Int) {
        var seen = peak.load(ordering: .relaxed)
        while value > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: value, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }
}
