import Atomics
import NIOConcurrencyHelpers

/// A fixed-size table of per-key rate accounts: the state behind response rate limiting and
/// per-client query limits. Its size never grows, whatever a hostile client sends: a key whose
/// slot is taken by another replaces it (NSD's table works the same way), which at worst lets
/// an evicted key start over with a full allowance.
///
/// Each account is a generic cell rate algorithm (GCRA) clock: `due` is when the key's next
/// event would be on schedule at `rate` per second. An event is within the limit when `due` is
/// at most one second ahead of now (a second's worth of burst, as NSD and BIND allow). Every
/// event moves `due` on, limited ones too, capped at `window` ahead: a key that keeps flooding
/// stays limited until its average over the window falls under the rate (BIND's `window`).
///
/// The clock moves by compare-and-swap on its own word, without a lock: with two UDP workers
/// answering the same busy network, a lock and the account behind it cost a few cache-line
/// trips per answer (in bench/, 11% of the hit path with 2 workers); one atomic word costs one.
/// The statistics of limited events (for `rrl.list`) and the replacement of an account are
/// kept under a lock per stripe of slots: only limited events and new keys take it.
final class RateLimitTable: @unchecked Sendable {
    /// What `rrl.list` shows of an account.
    struct Account {
        var key: UInt64 = 0
        var prefix: IPPrefix?
        var kind: UInt8 = 0
        /// Events over the limit since the account was made, and when the last one was.
        var limited: UInt64 = 0
        var lastLimited: UInt64 = 0
    }

    /// What one event was judged.
    enum Verdict: Equatable {
        case within
        /// Over the limit; `count` is how many of this account's events were over so far
        /// (slip takes every Nth).
        case over(count: UInt64)
    }

    static let stripes = 64
    let size: Int
    private let keys: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    private let dues: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    private let accounts: UnsafeMutablePointer<Account>
    private let locks: [NIOLock]

    init(size: Int) {
        self.size = max(64, size)
        keys = .allocate(capacity: self.size)
        keys.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: self.size)
        dues = .allocate(capacity: self.size)
        dues.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: self.size)
        accounts = .allocate(capacity: self.size)
        accounts.initialize(repeating: Account(), count: self.size)
        locks = (0..<Self.stripes).map { _ in NIOLock() }
    }

    deinit {
        keys.deinitialize(count: size)
        keys.deallocate()
        dues.deinitialize(count: size)
        dues.deallocate()
        accounts.deinitialize(count: size)
        accounts.deallocate()
    }

    /// Counts one event for `prefix` and `kind` at `now` (nanoseconds, monotonic) against
    /// `rate` per second, remembering the penalty up to `window` nanoseconds ahead. `leases`:
    /// the calling UDP worker's tokens taken ahead (RateLeases.swift), nil elsewhere.
    func count(_ prefix: IPPrefix, kind: UInt8, rate: Int, window: UInt64, now: UInt64, leases: RateLeases? = nil) -> Verdict {
        let key = (prefix.hashKey ^ UInt64(kind) &* 0x9E37_79B9_7F4A_7C15) | 1
        if let leases, leases.spend(key, now: now) { return .within }
        let slot = Int(truncatingIfNeeded: (key >> 17) % UInt64(size))
        let interval = 1_000_000_000 / UInt64(max(1, rate))
        let keyWord = UnsafeAtomic<UInt64>(at: keys + slot)
        let due = UnsafeAtomic<UInt64>(at: dues + slot)
        if keyWord.load(ordering: .acquiring) != key {
            locks[slot % Self.stripes].withLock {
                guard keyWord.load(ordering: .relaxed) != key else { return }
                accounts[slot] = Account(key: key, prefix: prefix, kind: kind)
                due.store(now, ordering: .relaxed)
                keyWord.store(key, ordering: .releasing)
            }
        }
        let chunk = leases == nil ? 1 : RateLeases.chunk(rate: rate)
        // Within the limit while the clock is at most a second's burst ahead of now.
        let tolerance = now + 1_000_000_000 - interval
        var seen = due.load(ordering: .relaxed)
        while true {
            let scheduled = max(seen, now)
            // Near the limit, one token at a time: the lease never makes a verdict looser.
            let taken = scheduled + (chunk - 1) * interval <= tolerance ? chunk : 1
            let next = min(scheduled + taken * interval, now + max(window, 1_000_000_000))
            let (exchanged, original) = due.compareExchange(expected: seen, desired: next, ordering: .relaxed)
            if exchanged {
                guard scheduled <= tolerance else { break }
                if taken > 1, let leases { lease(taken - 1, of: key, slot: slot, interval: interval, now: now, into: leases) }
                return .within
            }
            seen = original
        }
        return locks[slot % Self.stripes].withLock {
            accounts[slot].limited += 1
            accounts[slot].lastLimited = now
            return .over(count: accounts[slot].limited)
        }
    }

    /// Keeps `tokens` of `key` in `leases`, in place of its old lease or the oldest one, whose
    /// unspent tokens go back to their account first.
    private func lease(_ tokens: UInt64, of key: UInt64, slot: Int, interval: UInt64, now: UInt64, into leases: RateLeases) {
        let index = leases.leases.firstIndex { $0.key == key }
            ?? leases.leases.indices.min { leases.leases[$0].takenAt < leases.leases[$1].takenAt }!
        giveBack(leases.leases[index])
        leases.leases[index] = RateLeases.Lease(slot: slot, key: key, tokens: tokens, interval: interval, takenAt: now)
    }

    /// Moves an account's clock back by the lease's unspent tokens, unless the slot has since
    /// gone to another key.
    private func giveBack(_ lease: RateLeases.Lease) {
        guard lease.tokens > 0, lease.slot >= 0,
              UnsafeAtomic<UInt64>(at: keys + lease.slot).load(ordering: .relaxed) == lease.key else { return }
        let due = UnsafeAtomic<UInt64>(at: dues + lease.slot)
        let credit = lease.tokens * lease.interval
        var seen = due.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = due.compareExchange(expected: seen, desired: seen > credit ? seen - credit : 0, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }

    /// The accounts that were limited, most limited first, at most `limit` of them.
    func limitedAccounts(limit: Int) -> [Account] {
        var found: [Account] = []
        for stripe in 0..<Self.stripes {
            locks[stripe].withLock {
                var slot = stripe
                while slot < size {
                    if accounts[slot].limited > 0 { found.append(accounts[slot]) }
                    slot += Self.stripes
                }
            }
        }
        return Array(found.sorted { $0.limited > $1.limited }.prefix(limit))
    }
}
