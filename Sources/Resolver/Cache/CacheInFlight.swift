import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// What one downstream query produced, shared with every query that waited for it.
struct CacheFetch: Sendable {
    var response: Message
    var source: AnswerSource
    /// The stored form, when the response was cacheable.
    var cached: CachedAnswer?
}

/// Questions on their way downstream, so that concurrent misses for the same question make
/// one downstream query (request coalescing). The first asker is the leader and runs the
/// chain; the others wait on a future of the leader's result, which they hop to their own
/// event loop: this works across loops because only the table lookup takes a (sharded) lock.
///
/// The promise behind that future is made when the first follower joins, not for every miss:
/// most questions have no follower, and a promise is an allocation and a callback list.
///
/// A question takes at most `maxFollowers` followers (`cache.max_followers`): each is a
/// callback and a pending reply held until the leader's answer comes, which for a popular
/// name behind a black-holed upstream would otherwise grow with the query rate.
final class CacheInFlight: Sendable {
    enum Join {
        /// Run the chain, then `finish` the key and complete the promise it returns, if any.
        case leader
        /// Someone else is asking already: wait for this.
        case follower(EventLoopFuture<CacheFetch>)
        /// Someone else is asking, and `maxFollowers` already wait for it.
        case full
    }

    /// One question in flight: the leader's loop, the followers' promise once there is one,
    /// and how many follow.
    private struct Flight {
        let loop: EventLoop
        var waiters: EventLoopPromise<CacheFetch>?
        var followers = 0
    }

    private let shards: [NIOLockedValueBox<[CacheKey: Flight]>]

    init(shards: Int = 16) {
        self.shards = (0..<max(1, shards)).map { _ in NIOLockedValueBox([:]) }
    }

    private func shard(_ key: CacheKey) -> NIOLockedValueBox<[CacheKey: Flight]> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    func join(_ key: CacheKey, on loop: EventLoop, maxFollowers: Int) -> Join {
        shard(key).withLockedValue { table in
            guard var flight = table[key] else {
                table[key] = Flight(loop: loop)
                return .leader
            }
            guard flight.followers < maxFollowers else { return .full }
            flight.followers += 1
            let waiters = flight.waiters ?? flight.loop.makePromise(of: CacheFetch.self)
            flight.waiters = waiters
            table[key] = flight
            return .follower(waiters.futureResult)
        }
    }

    /// Forgets the question and returns the followers' promise, if any joined; call after
    /// storing the answer, then complete the promise.
    func finish(_ key: CacheKey) -> EventLoopPromise<CacheFetch>? {
        shard(key).withLockedValue { $0.removeValue(forKey: key)?.waiters }
    }

    /// Questions in flight now (for tests and statistics).
    var count: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.count } } }
}
