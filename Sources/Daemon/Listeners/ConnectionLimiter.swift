import Atomics

/// Counts open stream connections across all event loops against a cap.
final class ConnectionLimiter: Sendable {
    let limit: Int
    private let open = ManagedAtomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot; false when the cap is reached (the caller closes the connection).
    func acquire() -> Bool {
        if open.loadThenWrappingIncrement(ordering: .relaxed) < limit { return true }
        open.wrappingDecrement(ordering: .relaxed)
        return false
    }

    func release() { open.wrappingDecrement(ordering: .relaxed) }

    var current: Int { open.load(ordering: .relaxed) }
}
