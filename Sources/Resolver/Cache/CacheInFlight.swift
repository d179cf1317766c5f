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
/// chain; the others get the leader's future, which they hop to their own event loop: this
/// works across loops because only the table lookup takes a (sharded) lock.
final class CacheInFlight: Sendable {
    enum Join {
        /// Run the chain and complete this promise, then call `finish`.
        case leader(EventLoopPromise<CacheFetch>)
        /// Someone else is asking already: wait for this.
        case follower(EventLoopFuture<CacheFetch>)
    }

    private let shards: [NIOLockedValueBox<[CacheKey: EventLoopFuture<CacheFetch>]>]

    init(shards: Int = 16) {
        self.shards = (0..<max(1, shards)).map { _ in NIOLockedValueBox([:]) }
    }

    private func shard(_ key: CacheKey) -> NIOLockedValueBox<[CacheKey: EventLoopFuture<CacheFetch>]> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    func join(_ key: CacheKey, on loop: EventLoop) -> Join {
        shard(key).withLockedValue { table in
            if let future = table[key] { return .follower(future) }
            let promise = loop.makePromise(of: CacheFetch.self)
            table[key] = promise.futureResult
            return .leader(promise)
        }
    }

    /// Forgets the question; call before completing the leader's promise, after storing the answer.
    func finish(_ key: CacheKey) {
        _ = shard(key).withLockedValue { $0.removeValue(forKey: key) }
    }

    /// Questions in flight now (for tests and statistics).
    var count: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.count } } }
}
