import DequeModule
import NIOCore

/// When the queries waiting on one upstream socket time out, kept without a NIO timer per
/// query: scheduling and cancelling one cost a promise, a heap insertion and a callback list on
/// every forwarded miss. Queries are queued by their timeout; within one timeout the deadlines
/// come in sending order, so each queue's front is its earliest. The owner arms one timer for
/// `earliest` and calls `expired(at:isWaiting:)` when it fires.
///
/// A query answered in the meantime stays queued until it reaches the front; `isWaiting` tells
/// the live ones from those (an ID can be reused, so entries carry the serial of their send).
struct UpstreamDeadlines {
    struct Entry {
        let deadline: NIODeadline
        let id: UInt16
        let serial: UInt64
    }

    /// One queue per timeout in use: a forward plugin has one, so this is nearly always one.
    private var queues: [(timeout: TimeAmount, entries: Deque<Entry>)] = []

    mutating func add(id: UInt16, serial: UInt64, timeout: TimeAmount, now: NIODeadline) {
        let entry = Entry(deadline: now + timeout, id: id, serial: serial)
        if let index = queues.firstIndex(where: { $0.timeout == timeout }) {
            queues[index].entries.append(entry)
        } else {
            queues.append((timeout, [entry]))
        }
    }

    /// Drops answered entries from the fronts of the queues.
    mutating func trim(isWaiting: (UInt16, UInt64) -> Bool) {
        for index in queues.indices {
            while let front = queues[index].entries.first, !isWaiting(front.id, front.serial) {
                queues[index].entries.removeFirst()
            }
        }
    }

    /// The earliest deadline of a query still waiting.
    mutating func earliest(isWaiting: (UInt16, UInt64) -> Bool) -> NIODeadline? {
        trim(isWaiting: isWaiting)
        var earliest: NIODeadline?
        for queue in queues {
            if let front = queue.entries.first?.deadline, earliest.map({ front < $0 }) ?? true { earliest = front }
        }
        return earliest
    }

    /// Removes and returns the live entries whose deadline is at or before `now`.
    mutating func expired(at now: NIODeadline, isWaiting: (UInt16, UInt64) -> Bool) -> [Entry] {
        var due: [Entry] = []
        for index in queues.indices {
            while let front = queues[index].entries.first {
                let live = isWaiting(front.id, front.serial)
                guard front.deadline <= now || !live else { break }
                queues[index].entries.removeFirst()
                if live { due.append(front) }
            }
        }
        return due
    }
}
