import Atomics

/// What the UDP workers report beyond their queries: the batch-wait guard (BatchWaitGuard.swift)
/// at work. How often a worker found this host ending its `udp.batch_wait` sleeps late and
/// stopped them, and how many workers are blocking on the socket for that reason now. Without
/// it an operator saw the guard only in one log line per worker. Read by `stats.get`
/// (`udp.batch_wait.*`) and `/metrics` (`dnsd_udp_batch_wait_*`).
public final class UDPWorkerTelemetry: Sendable {
    private let suspensionCount = ManagedAtomic<UInt64>(0)
    private let suspendedCount = ManagedAtomic<Int>(0)

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
}
