import Atomics
import Foundation

/// The hand-off between the query path and an output's own writer thread (dnstap, the query
/// log): the query path appends under a lock and never waits; past `capacity` waiting items a
/// new one is dropped and counted, so a slow or absent sink never slows answering.
final class BoundedQueue<Element>: @unchecked Sendable {
    let capacity: Int
    /// Guards `items`, `stopping` and `nudged`, and wakes the writer.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var stopping = false
    private var nudged = false
    private let droppedCount = ManagedAtomic<UInt64>(0)

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(min(capacity, 4096))
    }

    /// Items dropped: the queue was full, or the writer counted a failed write (`countDropped`).
    var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    func countDropped(_ count: UInt64) {
        droppedCount.wrappingIncrement(by: count, ordering: .relaxed)
    }

    func push(_ item: Element) {
        condition.lock()
        if items.count < capacity {
            items.append(item)
            if items.count == 1 { condition.signal() }
            condition.unlock()
        } else {
            condition.unlock()
            droppedCount.wrappingIncrement(ordering: .relaxed)
        }
    }

    /// A UDP burst's items under one lock.
    func push(contentsOf batch: [Element]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        let room = max(0, capacity - items.count)
        let wasEmpty = items.isEmpty
        items.append(contentsOf: batch.prefix(room))
        if wasEmpty && !items.isEmpty { condition.signal() }
        condition.unlock()
        if batch.count > room { droppedCount.wrappingIncrement(by: UInt64(batch.count - room), ordering: .relaxed) }
    }

    /// Waits for items (or a `nudge`) and takes them all into `batch` (empty: the two arrays
    /// trade places, so neither is copied); false once stopping with none left.
    func take(into batch: inout [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !stopping && !nudged { condition.wait() }
        nudged = false
        if items.isEmpty && stopping { return false }
        swap(&items, &batch)
        return true
    }

    /// Wakes the writer with nothing new to take (a request it checks after `take`).
    func nudge() {
        condition.lock()
        nudged = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps `seconds` unless stopping; false when stopping.
    func pause(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopping && Date() < deadline { _ = condition.wait(until: deadline) }
        return !stopping
    }

    /// From now on `take` returns false once the queue is empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }
}
