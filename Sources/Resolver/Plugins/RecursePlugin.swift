import DNSProto
import NIOCore

/// `recurse`: a full recursive resolver. Resolves every query iteratively from the root
/// hints (follows referrals, chases CNAME/DNAME across zones, looks up glueless NS names),
/// so dnsd needs no upstream. Put a `cache` in front of it: the cache keeps final answers,
/// this plugin keeps the infrastructure (zone cuts and server addresses, see
/// `InfrastructureCache`), and `cache.flush` empties both.
///
/// Parameters (YAML, see docs/plugins/recurse.md and docs/recursion.md): `hints` (root hints
/// file; the IANA hints are built in), `timeout` (per server attempt before a server is
/// measured), `qname_minimisation`, `case_randomization`, `edns_udp_size`, `ipv6`,
/// `infrastructure_cache_size`, and the limits `max_referrals`, `max_ns_fetches`,
/// `max_queries`, `time_budget`, `max_cnames`; `port` (hidden, tests only: the destination
/// port of every authoritative server).
///
/// Answers have RA set and AA clear; they carry the answer chain and, for NXDOMAIN/NODATA, the
/// zone's SOA (RFC 2308), never the servers' additional data. A resolution that fails or hits
/// a limit answers SERVFAIL with an extended DNS error (RFC 8914): 22 for unreachable or lame
/// zones, 0 "Other" naming the limit otherwise. At most `max_concurrent` resolutions run at once
/// (all event loops together); a query past that gets SERVFAIL naming `recurse.max_concurrent`
/// at once. Queries without RD, other opcodes and classes than IN go to the next plugin.
public final class RecursePlugin: Plugin, Sendable {
    public let name = "recurse"
    public var resolvesForOthers: Bool { true }
    public let settings: RecursionSettings
    /// Zone cuts and server addresses; `cache.flush` and `cache.stats` reach it.
    public let infrastructure: InfrastructureCache
    let selector: ServerSelector
    let counters = RecursionCounters()
    let iterator: RecursiveIterator

    public init(settings: RecursionSettings) {
        self.settings = settings
        infrastructure = InfrastructureCache(maxEntries: settings.infrastructureCacheSize)
        selector = ServerSelector(maxTimeout: settings.timeout)
        iterator = RecursiveIterator(settings: settings, infrastructure: infrastructure, selector: selector, counters: counters)
    }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard query.header.opcode == .query, query.header.recursionDesired,
              let question = query.question, question.recordClass == .in else {
            return next.run(query, context: context)
        }
        counters.clientQueries.wrappingIncrement(ordering: .relaxed)
        // Each resolution is a task with its own queries and timers: at most `max_concurrent`.
        guard counters.running.wrappingIncrementThenLoad(ordering: .relaxed) <= settings.maxConcurrent else {
            counters.running.wrappingDecrement(ordering: .relaxed)
            return PluginLimit.recursions.failure(to: query)
        }
        let loop = context.eventLoop
        // The resolution runs on the query's event loop (EventLoopTaskExecutor), where its
        // sockets and timers are: no thread hop per await.
        // Completed straight from the task: no promise and futures in between (PendingOutcome).
        let pending = PendingOutcome(on: loop)
        Task(executorPreference: EventLoopTaskExecutor.of(loop)) {
            let answer = await self.resolve(query, question, on: loop)
            self.counters.running.wrappingDecrement(ordering: .relaxed)
            pending.succeed(.respond(answer, .upstream("recurse")))
        }
        return .pending(pending)
    }

    /// The answer to `query`: the resolution's, or SERVFAIL with the reason it failed.
    private func resolve(_ query: Message, _ question: Question, on loop: EventLoop) async -> Message {
        let budget = RecursionBudget(limits: settings.limits)
        do {
            let resolution = try await iterator.resolve(question.name, question.type, canonical: question.name, on: loop, budget: budget)
            return response(to: query, resolution)
        } catch let failure as RecursionFailure {
            counters.failures.wrappingIncrement(ordering: .relaxed)
            if case .limit = failure { counters.limitFailures.wrappingIncrement(ordering: .relaxed) }
            return self.failure(to: query, failure)
        } catch {
            counters.failures.wrappingIncrement(ordering: .relaxed)
            return self.failure(to: query, .other("\(error)"))
        }
    }

    /// Counters since start, with the infrastructure cache's sizes.
    public var statistics: RecursionStatistics {
        RecursionStatistics(clientQueries: counters.clientQueries.load(ordering: .relaxed),
                            upstreamQueries: counters.upstreamQueries.load(ordering: .relaxed),
                            failures: counters.failures.load(ordering: .relaxed),
                            limitFailures: counters.limitFailures.load(ordering: .relaxed),
                            tcpRetries: counters.tcpRetries.load(ordering: .relaxed),
                            ednsFallbacks: counters.ednsFallbacks.load(ordering: .relaxed),
                            infrastructure: infrastructure.statistics)
    }

    func response(to query: Message, _ resolution: RecursiveIterator.Resolution) -> Message {
        var response = Message.response(to: query, rcode: resolution.rcode, udpPayloadSize: settings.ednsUDPSize)
        response.header.recursionAvailable = true
        response.header.authoritative = false
        response.answers = resolution.answers
        response.authorities = resolution.authority
        return response
    }

    func failure(to query: Message, _ failure: RecursionFailure) -> Message {
        var response = Message.response(to: query, rcode: .servFail, udpPayloadSize: settings.ednsUDPSize)
        response.header.recursionAvailable = true
        if response.edns != nil {
            response.edns!.options = [.extendedError(code: failure.extendedErrorCode, text: failure.description)]
        }
        return response
    }
}

/// The `recurse` plugin's counters (`cache.stats` shows them).
public struct RecursionStatistics: Sendable, Equatable {
    public var clientQueries: Int
    public var upstreamQueries: Int
    public var failures: Int
    public var limitFailures: Int
    public var tcpRetries: Int
    public var ednsFallbacks: Int
    public var infrastructure: InfrastructureCacheStatistics
}
