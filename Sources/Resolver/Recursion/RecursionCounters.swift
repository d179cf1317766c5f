import Atomics

/// The `recurse` plugin's counters (relaxed atomics: read by `cache.stats`, bumped by
/// resolutions on any thread).
final class RecursionCounters: Sendable {
    let clientQueries = ManagedAtomic<Int>(0)
    let upstreamQueries = ManagedAtomic<Int>(0)
    let failures = ManagedAtomic<Int>(0)
    let limitFailures = ManagedAtomic<Int>(0)
    let tcpRetries = ManagedAtomic<Int>(0)
    let ednsFallbacks = ManagedAtomic<Int>(0)
    /// Resolutions running now (held to `recurse.max_concurrent`).
    let running = ManagedAtomic<Int>(0)
}
