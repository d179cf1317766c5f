import Atomics

/// A fixed array of atomic counters indexed by a hash of a client's address: how many of
/// something (waiting queries, open connections) each client holds, against a limit.
///
/// Two clients that share a counter share a limit, which errs on the side of limiting and keeps
/// the memory fixed (4 bytes a counter) whatever the number of clients: a table that grew per
/// address would be the very thing a flood of spoofed or many addresses exhausts.
public final class ClientCounterTable: @unchecked Sendable {
    private let counters: UnsafeMutablePointer<UnsafeAtomic<Int32>.Storage>
    private let count: Int

    /// `size` counters (at least 64).
    public init(size: Int) {
        count = max(64, size)
        counters = UnsafeMutablePointer<UnsafeAtomic<Int32>.Storage>.allocate(capacity: count)
        counters.initialize(repeating: UnsafeAtomic<Int32>.Storage(0), count: count)
    }

    deinit {
        counters.deinitialize(count: count)
        counters.deallocate()
    }

    /// Takes one for `client`, which may hold `limit`: false (and nothing taken) when it has
    /// all of them. Each true must be paired with one `leave`.
    public func enter(_ client: ClientAddress, limit: Int) -> Bool {
        let counter = UnsafeAtomic<Int32>(at: counters + slot(client))
        guard counter.wrappingIncrementThenLoad(ordering: .relaxed) > Int32(clamping: limit) else { return true }
        counter.wrappingDecrement(ordering: .relaxed)
        return false
    }

    public func leave(_ client: ClientAddress) {
        UnsafeAtomic<Int32>(at: counters + slot(client)).wrappingDecrement(ordering: .relaxed)
    }

    /// What `client` (and any client sharing its counter) holds now.
    public func current(_ client: ClientAddress) -> Int {
        Int(UnsafeAtomic<Int32>(at: counters + slot(client)).load(ordering: .relaxed))
    }

    /// The port is not part of the key: one host is one client.
    private func slot(_ client: ClientAddress) -> Int {
        Int(truncatingIfNeeded: IPPrefix(client, length: 128).hashKey % UInt64(count))
    }
}
