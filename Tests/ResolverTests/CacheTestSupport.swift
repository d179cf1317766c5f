import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
@testable import Resolver

/// A clock the cache tests move by hand, so TTL count-down needs no sleeping.
final class CacheTestClock: Sendable {
    private let nanos = NIOLockedValueBox<UInt64>(1_000_000_000_000)

    var now: UInt64 { nanos.withLockedValue { $0 } }
    var function: @Sendable () -> UInt64 { { self.now } }

    func advance(seconds: UInt64) { nanos.withLockedValue { $0 += seconds * 1_000_000_000 } }
}

/// The plugin behind the cache in unit tests: counts the queries that reach it and answers,
/// fails, or holds them as told.
final class ScriptedUpstream: Plugin, Sendable {
    enum Mode: Sendable {
        case answer, servfail, fail, hold
    }

    struct Failure: Error {}

    let name = "scripted"
    let mode = NIOLockedValueBox<Mode>(.answer)
    private let callCount = NIOLockedValueBox(0)
    private let held = NIOLockedValueBox<[(PendingOutcome, Message)]>([])
    let respond: @Sendable (Message) -> Message
    /// Answer through a future (like forward) instead of at once (like zone).
    let asynchronous: Bool

    init(asynchronous: Bool = false, respond: @escaping @Sendable (Message) -> Message = ScriptedUpstream.address(ttl: 300)) {
        self.asynchronous = asynchronous
        self.respond = respond
    }

    var calls: Int { callCount.withLockedValue { $0 } }
    var heldCount: Int { held.withLockedValue { $0.count } }

    func set(_ mode: Mode) { self.mode.withLockedValue { $0 = mode } }

    func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        callCount.withLockedValue { $0 += 1 }
        switch mode.withLockedValue({ $0 }) {
        case .answer:
            let outcome = PluginOutcome.respond(respond(query), .upstream("scripted"))
            return asynchronous ? .pending(PendingOutcome.completed(.success(outcome), on: context.eventLoop)) : outcome
        case .servfail:
            var reply = Message.response(to: query, rcode: .servFail)
            reply.header.recursionAvailable = true
            return .respond(reply, .upstream("scripted"))
        case .fail:
            return .pending(PendingOutcome.completed(.failure(Failure()), on: context.eventLoop))
        case .hold:
            let pending = PendingOutcome(on: context.eventLoop)
            held.withLockedValue { $0.append((pending, query)) }
            return .pending(pending)
        }
    }

    /// Answers every held query.
    func release() {
        let waiting = held.withLockedValue { held in defer { held = [] }; return held }
        for (pending, query) in waiting { pending.succeed(.respond(respond(query), .upstream("scripted"))) }
    }

    /// An A answer 192.0.2.1 with `ttl`.
    static func address(ttl: UInt32) -> @Sendable (Message) -> Message {
        { query in
            var reply = Message.response(to: query)
            reply.header.recursionAvailable = true
            reply.header.authoritative = true
            reply.answers = [ResourceRecord(name: query.question!.name, ttl: ttl, rdata: .a(IPv4Address("192.0.2.1")!))]
            return reply
        }
    }

    /// NXDOMAIN (or NODATA) with an SOA whose own TTL is `soaTTL` and MINIMUM is `minimum`.
    static func negative(nxdomain: Bool, soaTTL: UInt32, minimum: UInt32) -> @Sendable (Message) -> Message {
        { query in
            var reply = Message.response(to: query, rcode: nxdomain ? .nxDomain : .noError)
            reply.header.recursionAvailable = true
            let soa = SOA(mname: try! DNSName("ns.example."), rname: try! DNSName("host.example."), serial: 1,
                          refresh: 3600, retry: 600, expire: 86400, minimum: minimum)
            reply.authorities = [ResourceRecord(name: try! DNSName("example."), ttl: soaTTL, rdata: .soa(soa))]
            return reply
        }
    }
}

/// Runs queries through `cache -> upstream` on one embedded loop and waits for the answers.
struct CacheHarness {
    let clock = CacheTestClock()
    let loop = EmbeddedEventLoop()
    let cache: CachePlugin
    let upstream: ScriptedUpstream

    init(settings: CacheSettings = CacheSettings(), upstream: ScriptedUpstream = ScriptedUpstream()) {
        var settings = settings
        if settings.shards == 0 { settings.shards = 1 }
        cache = CachePlugin(settings: settings, clock: clock.function)
        self.upstream = upstream
    }

    func context(client: SocketAddress? = nil) -> QueryContext {
        QueryContext(client: client, transport: .udp, eventLoop: loop)
    }

    /// The cache's outcome, before waiting.
    func outcome(_ query: Message, client: SocketAddress? = nil) -> PluginOutcome {
        cache.handle(query, context: context(client: client), next: PluginChain([upstream][...]))
    }

    /// The final answer, running the loop until it is there (nil if it never comes).
    func ask(_ query: Message, client: SocketAddress? = nil) -> (message: Message, source: AnswerSource)? {
        settle(outcome(query, client: client))
    }

    func settle(_ outcome: PluginOutcome) -> (message: Message, source: AnswerSource)? {
        let box = NIOLockedValueBox<(Message, AnswerSource)?>(nil)
        CachePlugin.settle(outcome, on: loop).whenSuccess { result in box.withLockedValue { $0 = result } }
        loop.run()
        return box.withLockedValue { $0 }.map { (message: $0.0, source: $0.1) }
    }

    static func query(_ name: String, _ type: RecordType = .a, id: UInt16 = 7, edns: EDNS? = EDNS()) -> Message {
        var header = Header(id: id)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try! DNSName(name), type: type)], edns: edns)
    }
}

extension Message {
    /// The RFC 8914 INFO-CODEs in the OPT record.
    var extendedErrorCodes: [UInt16] {
        (edns?.options ?? []).compactMap { if case .extendedError(let code, _) = $0 { return code } else { return nil } }
    }
}

extension CachePlugin {
    /// Follows `.pending` outcomes to the final message, as a future (tests wait on it; the
    /// query path uses `whenSettled` and makes no future of its own). Callbacks are added on the
    /// pending outcome's own loop, as they must be.
    static func settle(_ outcome: PluginOutcome, on loop: EventLoop) -> EventLoopFuture<(Message, AnswerSource)> {
        let promise = loop.makePromise(of: (Message, AnswerSource).self)
        if case .pending(let pending) = outcome, !pending.loop.inEventLoop {
            pending.loop.execute { whenSettled(outcome) { promise.completeWith($0) } }
        } else {
            whenSettled(outcome) { promise.completeWith($0) }
        }
        return promise.futureResult
    }
}

extension PendingOutcome {
    /// Already complete: what an asynchronous plugin that finished at once would return.
    static func completed(_ completion: Completion, on loop: EventLoop) -> PendingOutcome {
        let pending = PendingOutcome(on: loop)
        pending.complete(completion)
        return pending
    }
}
