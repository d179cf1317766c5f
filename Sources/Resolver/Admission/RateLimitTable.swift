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
/// Locks: one per stripe of slots, so two UDP workers rarely meet on the same one.
final class RateLimitTable: @unchecked Sendable {
    struct Account {
        var key: UInt64 = 0
        var due: UInt64 = 0
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
    private var accounts: UnsafeMutablePointer<Account>
    private let locks: [NIOLock]

    init(size: Int) {
        self.size = max(64, size)
        accounts = UnsafeMutablePointer<Account>.allocate(capacity: self.size)
        accounts.initialize(repeating: Account(), count: self.size)
        locks = (0..<Self.stripes).map { _ in NIOLock() }
    }

    deinit {
        accounts.deinitialize(count: size)
        accounts.deallocate()
    }

    /// Counts one event for `prefix` and `kind` at `now` (nanoseconds, monotonic) against
    /// `rate` per second, remembering the penalty up to `window` nanoseconds ahead.
    func count(_ prefix: IPPrefix, kind: UInt8, rate: Int, window: UInt64, now: UInt64) -> Verdict {
        let key = (prefix.hashKey ^ UInt64(kind) &* 0x9E37_79B9_7F4A_7C15) | 1
        let slot = Int(truncatingIfNeeded: (key >> 17) % UInt64(size))
        let interval = 1_000_000_000 / UInt64(max(1, rate))
        return locks[slot % Self.stripes].withLock {
            let account = accounts + slot
            if account.pointee.key != key {
                account.pointee = Account(key: key, due: now, prefix: prefix, kind: kind)
            }
            let due = max(account.pointee.due, now)
            account.pointee.due = min(due + interval, now + max(window, 1_000_000_000))
            if due <= now + 1_000_000_000 - interval { return .within }
            account.pointee.limited += 1
            account.pointee.lastLimited = now
            return .over(count: account.pointee.limited)
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
