import DNSProto
import NIOCore

/// `cache`: answers repeated questions from memory, in front of slower plugins (`forward`).
///
/// Parameters (see `CacheSettings` and docs/plugins/cache.md): `max_entries`, `max_bytes`,
/// `min_ttl`, `max_ttl`, `negative_ttl`, `servfail_ttl`, `serve_stale`, `stale_ttl`,
/// `stale_timeout`, `optimistic`, `prefetch`, `prefetch_hits`.
///
/// - Answers are filed by question (lower-cased name, type, class), DO and CD bits, and for
///   ECS answers the client subnet at the answer's scope (RFC 7871 §7.3.1).
/// - Served with the new query's ID and question case, AA clear, every TTL less the time in
///   cache. NXDOMAIN/NODATA are kept for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); SERVFAIL only
///   for `servfail_ttl` (RFC 2308 §7); truncated answers never.
/// - Serve-stale (RFC 8767): when the rest of the chain fails (SERVFAIL, a failed future, or
///   no answer within `stale_timeout`), an answer expired less than `serve_stale` ago is served
///   with TTL `stale_ttl` and extended error 3 "Stale Answer" (RFC 8914) for EDNS clients.
/// - `optimistic`: such an expired answer is served at once and refreshed in the background.
/// - `prefetch`: an answer asked for `prefetch_hits` times with less than 10% of its TTL left
///   is refreshed in the background before it expires.
/// - Concurrent misses for the same question make one downstream query (coalescing); at most
///   `max_followers` wait for one question, past that SERVFAIL naming the key (or the stale
///   answer, when there is one).
public final class CachePlugin: StatefulPlugin, Sendable {
    public let name = "cache"
    public var resolvesForOthers: Bool { true }
    public let settings: CacheSettings
    /// The entries; the control plane's `cache.*` methods use its public API.
    public let store: CacheStore
    let inFlight = CacheInFlight()

    public init(settings: CacheSettings = CacheSettings(), clock: @escaping @Sendable () -> UInt64 = CacheStore.monotonicClock) {
        self.settings = settings
        store = CacheStore(maxEntries: settings.maxEntries, maxBytes: settings.maxBytes, shards: settings.shards, clock: clock)
    }

    /// The UDP relay keeps this cache's answers in the packet-cache tier, with all of its rules.
    public var fastPath: FastPathStep { .packetCache(self) }

    /// Counters and sizes (`cache.stats`).
    public var statistics: CacheStatistics { store.statistics }

    /// `config.reload` builds a new plugin; it keeps the old one's answers.
    public func inheritState(from previous: any Plugin) {
        guard let previous = previous as? CachePlugin else { return }
        store.absorb(previous.store)
    }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard query.header.opcode == .query, let base = CacheKey(query: query) else {
            return next.run(query, context: context)
        }
        let client = CacheClientAddress(query: query, client: context.client)
        let now = store.clock()
        let prefetchHits = settings.prefetch ? max(1, settings.prefetchHits) : 0
        switch store.lookup(base: base, client: client, now: now, staleWindow: settings.serveStale, prefetchHits: prefetchHits) {
        case .fresh(let answer, let prefetch):
            if prefetch { refresh(query, base: base, context: context, next: next) }
            return .respond(answer.render(for: query, now: now), .cache)
        case .stale(let answer) where settings.optimistic:
            store.count(\.staleServed, for: base)
            refresh(query, base: base, context: context, next: next)
            return .respond(answer.render(for: query, now: now, staleTTL: settings.staleTTL), .cache)
        case .stale(let answer):
            return fetch(query, base: base, context: context, next: next, stale: answer)
        case .miss:
            return fetch(query, base: base, context: context, next: next, stale: nil)
        }
    }

    /// Queries wait for each other when they would get the same answer: same question and
    /// flags, and the same ECS option if the client sent one.
    private func flightKey(_ base: CacheKey, _ query: Message) -> CacheKey {
        var key = base
        if let ecs = query.edns?.clientSubnet {
            key.subnet = CacheSubnet(family: ecs.family, prefix: ecs.sourcePrefixLength, address: ecs.address)
        }
        return key
    }

    /// A miss (or a stale entry without optimism): one query goes downstream per question.
    private func fetch(_ query: Message, base: CacheKey, context: QueryContext, next: PluginChain, stale: CachedAnswer?) -> PluginOutcome {
        let key = flightKey(base, query)
        switch inFlight.join(key, on: context.eventLoop, maxFollowers: settings.maxFollowers) {
        case .follower(let future):
            store.count(\.coalesced, for: base)
            return .pending(reply(to: query, base: base, from: future, stale: stale, context: context))
        case .full:
            if let stale { return serveStale(stale, to: query, base: base) }
            return PluginLimit.cacheFollowers.failure(to: query)
        case .leader:
            let outcome = next.run(query, context: context)
            if case .respond(let message, let source) = outcome {
                // Answered at once (a zone behind the cache): no need to go through futures.
                complete(key, base: base, query: query, result: .success((message, source)), stale: stale)
                if message.rcode == .servFail, let stale {
                    return serveStale(stale, to: query, base: base)
                }
                return .respond(message, source)
            }
            // The leader's reply comes straight from what the chain settled on: one PendingOutcome.
            let replied = PendingOutcome(on: context.eventLoop)
            Self.whenSettled(outcome) { result in
                let fetched = self.complete(key, base: base, query: query, result: result, stale: stale)
                replied.succeed(self.outcome(fetched, for: query, base: base, leader: true, stale: stale))
            }
            return .pending(servingStale(after: replied, stale: stale, query: query, base: base))
        }
    }

    /// Refreshes an entry in the background (prefetch, optimistic mode), unless that
    /// question is already on its way downstream.
    private func refresh(_ query: Message, base: CacheKey, context: QueryContext, next: PluginChain) {
        let key = flightKey(base, query)
        guard case .leader = inFlight.join(key, on: context.eventLoop, maxFollowers: settings.maxFollowers) else { return }
        store.count(\.prefetches, for: base)
        Self.whenSettled(next.run(query, context: context)) { result in
            // A failed refresh must not replace the answer it was meant to renew.
            self.complete(key, base: base, query: query, result: result, stale: nil, keepOld: true)
        }
    }

    /// Stores what came back (if cacheable), forgets the in-flight question, wakes the
    /// followers; returns the fetch for the leader.
    @discardableResult
    private func complete(_ key: CacheKey, base: CacheKey, query: Message, result: Result<(Message, AnswerSource), any Error>,
                          stale: CachedAnswer?, keepOld: Bool = false) -> Result<CacheFetch, any Error> {
        switch result {
        case .success(let (message, source)):
            let cached = CachedAnswer.make(response: message, query: query, settings: settings, now: store.clock())
            // A SERVFAIL must not push out an answer that can still be served stale.
            if let cached, !(cached.kind == .servfail && (stale != nil || keepOld)) {
                store.insert(base: base, cached)
            }
            let fetch = CacheFetch(response: message, source: source, cached: cached)
            inFlight.finish(key)?.succeed(fetch)
            return .success(fetch)
        case .failure(let error):
            inFlight.finish(key)?.fail(error)
            return .failure(error)
        }
    }

    /// The reply for a query that waited on another's fetch (a follower): the answer rendered
    /// for its own ID and question (see `outcome`).
    private func reply(to query: Message, base: CacheKey, from future: EventLoopFuture<CacheFetch>,
                       stale: CachedAnswer?, context: QueryContext) -> PendingOutcome {
        let replied = PendingOutcome(on: context.eventLoop)
        future.hop(to: context.eventLoop).whenComplete { result in
            replied.succeed(self.outcome(result, for: query, base: base, leader: false, stale: stale))
        }
        return servingStale(after: replied, stale: stale, query: query, base: base)
    }

    /// `answered`, unless a stale answer is at hand and the downstream takes longer than
    /// `stale_timeout`: then the stale answer (RFC 8767 §5). Whichever comes first completes
    /// the reply; a PendingOutcome ignores the second.
    private func servingStale(after answered: PendingOutcome, stale: CachedAnswer?, query: Message, base: CacheKey) -> PendingOutcome {
        guard let stale, settings.staleTimeout > .zero else { return answered }
        let reply = PendingOutcome(on: answered.loop)
        let timer = answered.loop.scheduleTask(in: settings.staleTimeout) {
            reply.succeed(self.serveStale(stale, to: query, base: base))
        }
        answered.whenComplete { result in
            timer.cancel()
            reply.complete(result)
        }
        return reply
    }

    /// What a waiting query gets from the fetch: the leader the downstream answer as it is,
    /// a follower the answer rendered for its own ID and question; failures fall back to the
    /// stale answer when there is one, else SERVFAIL.
    private func outcome(_ result: Result<CacheFetch, any Error>, for query: Message, base: CacheKey, leader: Bool,
                         stale: CachedAnswer?) -> PluginOutcome {
        switch result {
        case .success(let fetch):
            if fetch.response.rcode == .servFail, let stale { return serveStale(stale, to: query, base: base) }
            if leader { return .respond(fetch.response, fetch.source) }
            if let cached = fetch.cached { return .respond(cached.render(for: query, now: store.clock()), .cache) }
            return .respond(Self.retarget(fetch.response, to: query), fetch.source)
        case .failure:
            if let stale { return serveStale(stale, to: query, base: base) }
            return .respond(Message.response(to: query, rcode: .servFail), .server)
        }
    }

    private func serveStale(_ stale: CachedAnswer, to query: Message, base: CacheKey) -> PluginOutcome {
        store.count(\.staleServed, for: base)
        return .respond(stale.render(for: query, now: store.clock(), staleTTL: settings.staleTTL), .cache)
    }

    /// An uncacheable answer (SERVFAIL, REFUSED, TC) handed to a query that waited for it:
    /// its own ID, question case and flags; no OPT unless it sent one.
    static func retarget(_ response: Message, to query: Message) -> Message {
        var reply = response
        let rcode = response.rcode
        reply.header.id = query.header.id
        reply.header.copyRequestFlagsForCache(from: query.header)
        reply.questions = query.questions
        if query.edns == nil {
            reply.edns = nil
        } else if reply.edns == nil {
            reply.edns = EDNS(dnssecOK: query.edns!.dnssecOK)
        }
        reply.rcode = rcode
        return reply
    }

    /// Follows `.pending` outcomes to the final message and hands it to `body`, with nothing
    /// pending of its own: on the miss path every such object is an allocation.
    static func whenSettled(_ outcome: PluginOutcome, _ body: @escaping @Sendable (Result<(Message, AnswerSource), any Error>) -> Void) {
        switch outcome {
        case .respond(let message, let source):
            body(.success((message, source)))
        case .pending(let pending):
            pending.whenComplete { result in
                switch result {
                case .success(let next): whenSettled(next, body)
                case .failure(let error): body(.failure(error))
                }
            }
        }
    }
}

extension Header {
    /// RD and CD come from the query being answered (RFC 1035 §4.1.1, RFC 4035 §3.2.2).
    fileprivate mutating func copyRequestFlagsForCache(from query: Header) {
        recursionDesired = query.recursionDesired
        checkingDisabled = query.checkingDisabled
    }
}
