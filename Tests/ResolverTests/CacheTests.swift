import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import Resolver

@Suite("Cache plugin")
struct CacheTests {
    @Test func ttlCountsDownAndTheReplyIsRetargeted() throws {
        let harness = CacheHarness()
        let first = try #require(harness.ask(CacheHarness.query("www.example.", id: 1)))
        #expect(first.message.answers.first?.ttl == 300)
        harness.clock.advance(seconds: 100)
        let second = try #require(harness.ask(CacheHarness.query("WWW.Example.", id: 2)))
        #expect(second.source == .cache)
        #expect(second.message.header.id == 2)
        #expect(second.message.question?.name.description == "WWW.Example.")
        #expect(second.message.answers.first?.ttl == 200)
        #expect(!second.message.header.authoritative)
        #expect(second.message.header.recursionAvailable)
        #expect(harness.upstream.calls == 1)
        harness.clock.advance(seconds: 199)
        #expect(harness.ask(CacheHarness.query("www.example."))?.message.answers.first?.ttl == 1)
        harness.clock.advance(seconds: 1)
        _ = harness.ask(CacheHarness.query("www.example."))
        #expect(harness.upstream.calls == 2, "an expired answer goes downstream again")
    }

    @Test func negativeAnswersLiveForTheSOAMinimum() throws {
        var settings = CacheSettings()
        settings.serveStale = 0
        let harness = CacheHarness(settings: settings,
                                   upstream: ScriptedUpstream(respond: ScriptedUpstream.negative(nxdomain: true, soaTTL: 3600, minimum: 300)))
        let first = try #require(harness.ask(CacheHarness.query("nope.example.")))
        #expect(first.message.rcode == .nxDomain)
        harness.clock.advance(seconds: 290)
        let cached = try #require(harness.ask(CacheHarness.query("nope.example.")))
        #expect(cached.source == .cache)
        #expect(cached.message.rcode == .nxDomain)
        #expect(cached.message.authorities.first?.ttl == 10, "RFC 2308 §5: min(SOA TTL 3600, MINIMUM 300) - 290")
        #expect(harness.upstream.calls == 1)
        harness.clock.advance(seconds: 10)
        _ = harness.ask(CacheHarness.query("nope.example."))
        #expect(harness.upstream.calls == 2)
        #expect(harness.cache.statistics.expired == 1)
    }

    @Test func nodataIsCachedAndNegativeTTLIsCapped() throws {
        var settings = CacheSettings()
        settings.negativeTTL = 60
        let harness = CacheHarness(settings: settings,
                                   upstream: ScriptedUpstream(respond: ScriptedUpstream.negative(nxdomain: false, soaTTL: 600, minimum: 900)))
        _ = harness.ask(CacheHarness.query("www.example.", .aaaa))
        let cached = try #require(harness.ask(CacheHarness.query("www.example.", .aaaa)))
        #expect(cached.source == .cache)
        #expect(cached.message.rcode == .noError)
        #expect(cached.message.answers.isEmpty)
        #expect(cached.message.authorities.first?.ttl == 60)
        #expect(harness.upstream.calls == 1)
    }

    @Test func minAndMaxTTLClamp() throws {
        var settings = CacheSettings()
        settings.minTTL = 60
        settings.maxTTL = 3600
        let low = CacheHarness(settings: settings, upstream: ScriptedUpstream(respond: ScriptedUpstream.address(ttl: 5)))
        _ = low.ask(CacheHarness.query("a.example."))
        #expect(low.ask(CacheHarness.query("a.example."))?.message.answers.first?.ttl == 60)
        let high = CacheHarness(settings: settings, upstream: ScriptedUpstream(respond: ScriptedUpstream.address(ttl: 999_999)))
        _ = high.ask(CacheHarness.query("a.example."))
        #expect(high.ask(CacheHarness.query("a.example."))?.message.answers.first?.ttl == 3600)
    }

    @Test func servfailAndTruncatedAreNotCached() throws {
        let harness = CacheHarness()
        harness.upstream.set(.servfail)
        #expect(harness.ask(CacheHarness.query("a.example."))?.message.rcode == .servFail)
        #expect(harness.ask(CacheHarness.query("a.example."))?.message.rcode == .servFail)
        #expect(harness.upstream.calls == 2)
        let truncated = CacheHarness(upstream: ScriptedUpstream { query in
            var reply = ScriptedUpstream.address(ttl: 300)(query)
            reply.header.truncated = true
            return reply
        })
        _ = truncated.ask(CacheHarness.query("a.example."))
        _ = truncated.ask(CacheHarness.query("a.example."))
        #expect(truncated.upstream.calls == 2)
    }

    @Test func servfailIsCachedBrieflyWhenConfigured() throws {
        var settings = CacheSettings()
        settings.servfailTTL = 5
        let harness = CacheHarness(settings: settings)
        harness.upstream.set(.servfail)
        _ = harness.ask(CacheHarness.query("a.example."))
        #expect(harness.ask(CacheHarness.query("a.example."))?.source == .cache)
        harness.clock.advance(seconds: 6)
        _ = harness.ask(CacheHarness.query("a.example."))
        #expect(harness.upstream.calls == 2)
    }

    @Test func evictionUnderAByteCapKeepsHotEntries() throws {
        var settings = CacheSettings()
        settings.maxBytes = 100 * 250
        settings.maxEntries = 1_000_000
        let harness = CacheHarness(settings: settings)
        let hot = (0..<10).map { "hot\($0).example." }
        for name in hot {
            _ = harness.ask(CacheHarness.query(name))
            _ = harness.ask(CacheHarness.query(name))
        }
        for round in 0..<20 {
            for index in 0..<100 { _ = harness.ask(CacheHarness.query("cold\(round)-\(index).example.")) }
            for name in hot { _ = harness.ask(CacheHarness.query(name)) }
        }
        let statistics = harness.cache.statistics
        #expect(statistics.bytes <= settings.maxBytes)
        #expect(statistics.evictions > 1500)
        #expect(harness.upstream.calls == 10 + 2000, "every hot name was answered from the cache throughout")
        for name in hot { #expect(harness.ask(CacheHarness.query(name))?.source == .cache) }
    }

    @Test func entryCapHolds() throws {
        var settings = CacheSettings()
        settings.maxEntries = 50
        let harness = CacheHarness(settings: settings)
        for index in 0..<500 { _ = harness.ask(CacheHarness.query("n\(index).example.")) }
        #expect(harness.cache.statistics.entries == 50)
    }

    @Test func doAndCDBitsAreSeparateKeys() throws {
        let harness = CacheHarness()
        var withDO = EDNS()
        withDO.dnssecOK = true
        var withCD = CacheHarness.query("a.example.")
        withCD.header.checkingDisabled = true
        for query in [CacheHarness.query("a.example."), CacheHarness.query("a.example.", edns: withDO), withCD] {
            _ = harness.ask(query)
            #expect(harness.ask(query)?.source == .cache)
        }
        #expect(harness.upstream.calls == 3)
    }

    /// An upstream that answers per client subnet with SCOPE /24, like a CDN's authority.
    static func subnetUpstream(scope: UInt8) -> ScriptedUpstream {
        ScriptedUpstream { query in
            var reply = ScriptedUpstream.address(ttl: 300)(query)
            if var ecs = query.edns?.clientSubnet {
                ecs.scopePrefixLength = scope
                reply.edns?.options = [.clientSubnet(ecs)]
                reply.answers[0].rdata = .a(IPv4Address(bytes: [198, 51, 100, ecs.address.first ?? 0])!)
            }
            return reply
        }
    }

    static func ecsQuery(_ address: [UInt8], prefix: UInt8) -> Message {
        CacheHarness.query("cdn.example.", edns: EDNS(options: [.clientSubnet(ClientSubnet(family: 1, address: address, sourcePrefixLength: prefix))]))
    }

    @Test func ecsScopeSeparatesSubnets() throws {
        let harness = CacheHarness(upstream: Self.subnetUpstream(scope: 24))
        _ = harness.ask(Self.ecsQuery([192, 0, 2, 0], prefix: 24))
        _ = harness.ask(Self.ecsQuery([203, 0, 113, 0], prefix: 24))
        #expect(harness.upstream.calls == 2)
        let sameSubnet = try #require(harness.ask(Self.ecsQuery([192, 0, 2, 77], prefix: 32)))
        #expect(sameSubnet.source == .cache)
        #expect(sameSubnet.message.answers.first?.rdata == .a(IPv4Address("198.51.100.192")!))
        #expect(sameSubnet.message.edns?.clientSubnet?.scopePrefixLength == 24)
        #expect(sameSubnet.message.edns?.clientSubnet?.sourcePrefixLength == 32)
        let other = try #require(harness.ask(Self.ecsQuery([203, 0, 113, 9], prefix: 32)))
        #expect(other.message.answers.first?.rdata == .a(IPv4Address("198.51.100.203")!))
        // A client that sent no ECS and has no known address sees only answers for everyone.
        _ = harness.ask(CacheHarness.query("cdn.example."))
        #expect(harness.upstream.calls == 3)
        // The socket address is used when the query has no ECS option.
        let client = try SocketAddress(ipAddress: "192.0.2.200", port: 5300)
        #expect(harness.ask(CacheHarness.query("cdn.example.", edns: nil), client: client)?.message.answers.first?.rdata
                == .a(IPv4Address("198.51.100.192")!))
        #expect(harness.upstream.calls == 3)
    }

    @Test func scopeZeroServesEveryone() throws {
        let harness = CacheHarness(upstream: Self.subnetUpstream(scope: 0))
        _ = harness.ask(Self.ecsQuery([192, 0, 2, 0], prefix: 24))
        #expect(harness.ask(Self.ecsQuery([203, 0, 113, 0], prefix: 24))?.source == .cache)
        #expect(harness.upstream.calls == 1)
    }

    @Test func hundredConcurrentMissesMakeOneDownstreamQuery() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 4)
        defer { try? group.syncShutdownGracefully() }
        let upstream = ScriptedUpstream()
        upstream.set(.hold)
        let cache = CachePlugin(settings: CacheSettings())
        let chain = PluginChain([upstream][...])
        var futures: [EventLoopFuture<PluginOutcome>] = []
        for index in 0..<100 {
            let loop = group.next()
            let query = CacheHarness.query("same.example.", id: UInt16(index))
            futures.append(loop.submit {
                cache.handle(query, context: QueryContext(client: nil, transport: .udp, eventLoop: loop), next: chain)
            })
        }
        let outcomes = try futures.map { try $0.wait() }
        #expect(upstream.calls == 1)
        upstream.release()
        var answered = 0
        for (index, outcome) in outcomes.enumerated() {
            let (message, _) = try CachePlugin.settle(outcome, on: group.next()).wait()
            #expect(message.header.id == UInt16(index))
            #expect(message.answers.count == 1)
            answered += 1
        }
        #expect(answered == 100)
        #expect(upstream.calls == 1)
        #expect(cache.statistics.coalesced == 99)
        #expect(cache.inFlight.count == 0)
    }

    /// `cache.max_followers`: past it a query is answered at once, SERVFAIL naming the key,
    /// while those within it get the leader's answer.
    @Test func followersPastMaxFollowersGetServfailNamingTheKey() throws {
        var settings = CacheSettings()
        settings.maxFollowers = 2
        settings.serveStale = 0
        let upstream = ScriptedUpstream()
        upstream.set(.hold)
        let harness = CacheHarness(settings: settings, upstream: upstream)
        let outcomes = (0..<4).map { harness.outcome(CacheHarness.query("held.example.", id: UInt16($0))) }
        #expect(upstream.calls == 1)
        guard case .respond(let refused, let source) = outcomes[3] else {
            Issue.record("the fourth query must be answered at once")
            return
        }
        #expect(refused.rcode == .servFail && refused.header.id == 3)
        #expect(source == .admission("limit:cache_followers"))
        #expect(refused.edns?.options == [.extendedError(code: ExtendedErrorCode.other, text: "over cache.max_followers")])
        upstream.set(.answer)
        upstream.release()
        for (index, outcome) in outcomes[0..<3].enumerated() {
            let answer = try #require(harness.settle(outcome))
            #expect(answer.message.header.id == UInt16(index) && answer.message.answers.count == 1)
        }
        #expect(harness.cache.inFlight.count == 0)
    }

    @Test func serveStaleWhenTheUpstreamFails() throws {
        var settings = CacheSettings()
        settings.serveStale = 3600
        let harness = CacheHarness(settings: settings, upstream: ScriptedUpstream(respond: ScriptedUpstream.address(ttl: 60)))
        _ = harness.ask(CacheHarness.query("a.example."))
        harness.clock.advance(seconds: 120)
        harness.upstream.set(.servfail)
        let stale = try #require(harness.ask(CacheHarness.query("a.example.")))
        #expect(stale.message.rcode == .noError)
        #expect(stale.message.answers.first?.ttl == 30)
        #expect(stale.message.extendedErrorCodes == [ExtendedErrorCode.staleAnswer])
        harness.upstream.set(.fail)
        let afterFailure = try #require(harness.ask(CacheHarness.query("a.example.", edns: nil)))
        #expect(afterFailure.message.answers.first?.ttl == 30)
        #expect(afterFailure.message.edns == nil, "no OPT (and so no EDE) for a client without EDNS")
        #expect(harness.cache.statistics.staleServed == 2)
        // Past the window: SERVFAIL.
        harness.clock.advance(seconds: 3600)
        #expect(harness.ask(CacheHarness.query("a.example."))?.message.rcode == .servFail)
    }

    @Test func serveStaleWhenTheUpstreamIsSlow() throws {
        var settings = CacheSettings()
        settings.staleTimeout = .milliseconds(1800)
        let harness = CacheHarness(settings: settings, upstream: ScriptedUpstream(respond: ScriptedUpstream.address(ttl: 60)))
        _ = harness.ask(CacheHarness.query("a.example."))
        harness.clock.advance(seconds: 61)
        harness.upstream.set(.hold)
        let outcome = harness.outcome(CacheHarness.query("a.example."))
        let box = NIOLockedValueBox<Message?>(nil)
        CachePlugin.settle(outcome, on: harness.loop).whenSuccess { result in box.withLockedValue { $0 = result.0 } }
        harness.loop.advanceTime(by: .milliseconds(1000))
        #expect(box.withLockedValue { $0 } == nil)
        harness.loop.advanceTime(by: .milliseconds(900))
        let stale = try #require(box.withLockedValue { $0 })
        #expect(stale.extendedErrorCodes == [ExtendedErrorCode.staleAnswer])
        // The slow answer still lands in the cache when it comes.
        harness.upstream.set(.answer)
        harness.upstream.release()
        harness.loop.run()
        #expect(harness.ask(CacheHarness.query("a.example."))?.message.answers.first?.ttl == 60)
    }

    @Test func optimisticAnswersAtOnceAndRefreshes() throws {
        var settings = CacheSettings()
        settings.optimistic = true
        let harness = CacheHarness(settings: settings,
                                   upstream: ScriptedUpstream(asynchronous: true, respond: ScriptedUpstream.address(ttl: 60)))
        _ = harness.ask(CacheHarness.query("a.example."))
        harness.clock.advance(seconds: 90)
        harness.upstream.set(.hold)
        guard case .respond(let message, .cache) = harness.outcome(CacheHarness.query("a.example.")) else {
            Issue.record("an optimistic cache answers expired entries at once")
            return
        }
        #expect(message.answers.first?.ttl == 30)
        #expect(message.extendedErrorCodes == [ExtendedErrorCode.staleAnswer])
        #expect(harness.upstream.calls == 2, "the refresh went downstream")
        harness.upstream.set(.answer)
        harness.upstream.release()
        harness.loop.run()
        let fresh = try #require(harness.ask(CacheHarness.query("a.example.")))
        #expect(fresh.message.answers.first?.ttl == 60)
        #expect(fresh.message.extendedErrorCodes.isEmpty)
        #expect(harness.upstream.calls == 2)
        #expect(harness.cache.statistics.prefetches == 1)
    }

    @Test func prefetchRefreshesPopularEntriesBeforeExpiry() throws {
        var settings = CacheSettings()
        settings.prefetchHits = 3
        let harness = CacheHarness(settings: settings, upstream: ScriptedUpstream(respond: ScriptedUpstream.address(ttl: 100)))
        _ = harness.ask(CacheHarness.query("popular.example."))
        _ = harness.ask(CacheHarness.query("lonely.example."))
        for _ in 0..<3 { _ = harness.ask(CacheHarness.query("popular.example.")) }
        harness.clock.advance(seconds: 95)
        let near = try #require(harness.ask(CacheHarness.query("popular.example.")))
        #expect(near.source == .cache)
        #expect(near.message.answers.first?.ttl == 5)
        #expect(harness.upstream.calls == 3, "one refresh for the popular name")
        _ = harness.ask(CacheHarness.query("lonely.example."))
        #expect(harness.upstream.calls == 3, "an entry asked once is not prefetched")
        #expect(harness.ask(CacheHarness.query("popular.example."))?.message.answers.first?.ttl == 100)
        #expect(harness.cache.statistics.prefetches == 1)
    }

    @Test func flushVariants() throws {
        let harness = CacheHarness()
        for (name, type) in [("a.example.", RecordType.a), ("a.example.", .aaaa), ("b.a.example.", .a), ("c.other.", .a)] {
            _ = harness.ask(CacheHarness.query(name, type))
        }
        let store = harness.cache.store
        #expect(store.statistics.entries == 4)
        harness.clock.advance(seconds: 10)
        let found = store.lookup(name: try DNSName("A.example."), type: .a)
        #expect(found.count == 1)
        #expect(found.first?.remainingTTL == 290)
        #expect(found.first?.records.first?.contains("290") == true)
        #expect(store.lookup(name: try DNSName("a.example.")).count == 2)
        #expect(store.dump(limit: 3).count == 3)
        #expect(store.flush(name: try DNSName("a.example."), type: .aaaa) == 1)
        #expect(store.flush(subtree: try DNSName("example.")) == 2)
        #expect(store.flush(name: try DNSName("c.other.")) == 1)
        _ = harness.ask(CacheHarness.query("d.other."))
        #expect(store.flush() == 1)
        #expect(store.statistics.entries == 0)
        #expect(store.statistics.bytes == 0)
    }

    @Test func reloadKeepsTheAnswers() throws {
        let harness = CacheHarness()
        _ = harness.ask(CacheHarness.query("a.example."))
        let successor = CachePlugin(settings: CacheSettings(), clock: harness.clock.function)
        successor.inheritState(from: harness.cache)
        #expect(successor.store.lookup(name: try DNSName("a.example.")).count == 1)
    }
}
