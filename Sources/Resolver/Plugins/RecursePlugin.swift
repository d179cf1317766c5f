import DNSProto
import Foundation
import NIOConcurrencyHelpers
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
///
/// DNSSEC (`dnssec: validate`, the default; `trust_anchor_file` replaces the built-in root
/// KSKs; docs/dnssec.md): every answer is validated from the trust anchor down. Secure answers
/// get AD when the client set DO or AD; bogus ones SERVFAIL with the RFC 8914 code saying why;
/// a client's CD gets the answer unchecked. RRSIG/NSEC/NSEC3 records go only to DO clients.
/// Names under a negative trust anchor (`dnssec.nta.add`) are answered unvalidated, as insecure.
/// Each answer carries its `DNSSECStatus` to the cache and the query event.
public final class RecursePlugin: StatefulPlugin, Sendable {
    public let name = "recurse"
    public var resolvesForOthers: Bool { true }
    public let settings: RecursionSettings
    /// Zone cuts and server addresses; `cache.flush` and `cache.stats` reach it.
    public let infrastructure: InfrastructureCache
    let selector: ServerSelector
    let counters = RecursionCounters()
    let iterator: RecursiveIterator
    /// The chain-of-trust outcome per zone; `cache.flush` empties it with the infrastructure.
    public let zoneSecurity: ZoneSecurityCache
    let validator: AnswerValidator
    /// NTAs and verdict counters; a reload's new plugin takes over its predecessor's.
    private let validatorStateBox = NIOLockedValueBox(ValidatorState())

    public init(settings: RecursionSettings) {
        self.settings = settings
        infrastructure = InfrastructureCache(maxEntries: settings.infrastructureCacheSize)
        selector = ServerSelector(maxTimeout: settings.timeout)
        iterator = RecursiveIterator(settings: settings, infrastructure: infrastructure, selector: selector, counters: counters)
        zoneSecurity = ZoneSecurityCache()
        validator = AnswerValidator(iterator: iterator, anchors: settings.trustAnchors, zones: zoneSecurity)
    }

    /// The negative trust anchors (`dnssec.nta.*`) and verdict counters in force.
    public var validatorState: ValidatorState { validatorStateBox.withLockedValue { $0 } }

    /// A reload's new plugin keeps the operator's negative trust anchors and the counters.
    public func inheritState(from previous: any Plugin) {
        guard let previous = previous as? RecursePlugin else { return }
        let state = previous.validatorState
        validatorStateBox.withLockedValue { $0 = state }
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
        var validating = false
        let state = validatorState
        do {
            let resolution = try await iterator.resolve(question.name, question.type, canonical: question.name, on: loop, budget: budget)
            // CD: the client validates itself and wants the data even if bogus (RFC 4035 §3.2.2).
            guard settings.dnssec == .validate, !query.header.checkingDisabled else {
                return response(to: query, resolution, status: nil)
            }
            // RFC 7646: under a negative trust anchor the answer is used as if unsigned.
            if state.negativeTrustAnchors.covers(question.name) {
                state.count(.insecure)
                return response(to: query, resolution, status: .insecure)
            }
            let work = AnswerValidator.Work(loop: loop, budget: budget, crypto: ValidationBudget(limits: settings.validationLimits),
                                            now: UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970)),
                                            negativeAnchors: state.negativeTrustAnchors)
            validating = true
            switch try await validator.validate(resolution, work: work) {
            case .secure:
                state.count(.secure)
                var capped = resolution
                capped.answers = SignatureTTL.cap(resolution.answers, now: work.now)
                capped.authority = SignatureTTL.cap(resolution.authority, now: work.now)
                return response(to: query, capped, status: .secure)
            case .insecure:
                state.count(.insecure)
                return response(to: query, resolution, status: .insecure)
            case .bogus(let failure): throw RecursionFailure.bogus(failure)
            }
        } catch let failure as RecursionFailure {
            counters.failures.wrappingIncrement(ordering: .relaxed)
            if case .limit = failure { counters.limitFailures.wrappingIncrement(ordering: .relaxed) }
            var status: DNSSECStatus?
            if case .bogus(let reason) = failure {
                status = .bogus
                if case .budgetExhausted = reason { state.countBudgetExhausted() }
            } else if validating {
                status = .indeterminate
            }
            if let status { state.count(status) }
            var answer = self.failure(to: query, failure)
            answer.dnssecStatus = status
            return answer
        } catch {
            counters.failures.wrappingIncrement(ordering: .relaxed)
            if validating { state.count(.indeterminate) }
            var answer = self.failure(to: query, .other("\(error)"))
            answer.dnssecStatus = validating ? .indeterminate : nil
            return answer
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

    /// The client's answer. AD only when the client asked (DO or AD, RFC 6840 §5.8); RRSIG,
    /// NSEC and NSEC3 records only for DO (RFC 4035 §3.2.1) or when they are the type asked.
    func response(to query: Message, _ resolution: RecursiveIterator.Resolution, status: DNSSECStatus?) -> Message {
        let secure = status == .secure
        var response = Message.response(to: query, rcode: resolution.rcode, udpPayloadSize: settings.ednsUDPSize)
        response.header.recursionAvailable = true
        response.header.authoritative = false
        let dnssecOK = query.edns?.dnssecOK ?? false
        response.header.authenticData = secure && (dnssecOK || query.header.authenticData)
        let asked = query.question?.type
        func keep(_ record: ResourceRecord) -> Bool {
            dnssecOK || record.type == asked || ![RecordType.rrsig, .nsec, .nsec3].contains(record.type)
        }
        response.answers = resolution.answers.filter(keep)
        response.authorities = resolution.authority.filter(keep)
        response.dnssecStatus = status
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
