import Atomics
import DNSProto
import NIOCore

/// The upstreams of one `forward` plugin and the policy that spreads queries over them.
///
/// For one query the pool picks an order of the available (up and enabled) upstreams by
/// policy and asks them in turn; a timeout, network error, SERVFAIL or REFUSED moves on to
/// the next. `parallel` asks all at once and takes the first good answer. When every
/// upstream failed with a bad rcode, the last such answer is returned as it came.
public final class UpstreamPool: Sendable {
    public let upstreams: [Upstream]
    public let policy: UpstreamPolicy
    /// How long one upstream gets to answer before the next is tried.
    public let timeout: TimeAmount
    private let counter = ManagedAtomic<Int>(0)

    /// The result of a pool query.
    public enum Outcome: Sendable {
        /// An answer (any rcode) from the named upstream.
        case answer(Message, from: Upstream)
        /// Nobody answered: every upstream is down or disabled (`noneAvailable`), or all
        /// those asked failed (the last error).
        case failed(noneAvailable: Bool, lastError: UpstreamError?)
    }

    public init(upstreams: [Upstream], policy: UpstreamPolicy, timeout: TimeAmount) {
        self.upstreams = upstreams
        self.policy = policy
        self.timeout = timeout
    }

    /// The round-robin counter's next value (the UDP relay picks by the same policy).
    func nextCounter() -> Int { counter.loadThenWrappingIncrement(ordering: .relaxed) }

    /// The upstream whose configured text is `name`.
    public func upstream(named name: String) -> Upstream? { upstreams.first { $0.address.description == name } }

    /// Asks the upstreams by policy and hands the outcome to `done` (on `loop`, or at once when
    /// none is available). A callback, not a future: the forward plugin makes the one PendingOutcome.
    public func resolve(_ query: UpstreamQuery, on loop: EventLoop, then done: @escaping @Sendable (Outcome) -> Void) {
        let available = upstreams.indices.filter { upstreams[$0].isAvailable }
        guard !available.isEmpty else {
            return done(.failed(noneAvailable: true, lastError: nil))
        }
        if policy == .parallel && available.count > 1 {
            return parallel(query, available.map { upstreams[$0] }, on: loop).whenSuccess(done)
        }
        var rtts: [Int: Double] = [:]
        if policy == .fastest {
            for index in available { rtts[index] = upstreams[index].smoothedRTT }
        }
        var generator = PooledKernelRandom()
        let order = policy.order(available, counter: counter.loadThenWrappingIncrement(ordering: .relaxed),
                                 rtts: rtts, using: &generator)
        ask(query, order.map { upstreams[$0] }[...], badAnswer: nil, lastError: nil, on: loop, then: done)
    }

    /// Asks `remaining` in order until one gives a good answer, then calls `done`. No future
    /// of its own: chaining futures per upstream cost three per query.
    private func ask(_ query: UpstreamQuery, _ remaining: ArraySlice<Upstream>, badAnswer: (Message, Upstream)?,
                     lastError: UpstreamError?, on loop: EventLoop, then done: @escaping @Sendable (Outcome) -> Void) {
        guard let upstream = remaining.first else {
            if let (message, from) = badAnswer { return done(.answer(message, from: from)) }
            return done(.failed(noneAvailable: false, lastError: lastError))
        }
        upstream.query(query, on: loop, timeout: timeout) { result in
            switch result {
            case .success(let message):
                if Self.isGood(message) { return done(.answer(message, from: upstream)) }
                self.ask(query, remaining.dropFirst(), badAnswer: (message, upstream), lastError: lastError, on: loop, then: done)
            case .failure(let error):
                self.ask(query, remaining.dropFirst(), badAnswer: badAnswer, lastError: UpstreamError.from(error), on: loop, then: done)
            }
        }
    }

    /// Sends to all of `targets` at once; the first good answer wins, else the first bad
    /// answer, else the last error.
    private func parallel(_ query: UpstreamQuery, _ targets: [Upstream], on loop: EventLoop) -> EventLoopFuture<Outcome> {
        let promise = loop.makePromise(of: Outcome.self)
        let tally = NIOLoopBoundBox.makeBoxSendingValue(ParallelTally(left: targets.count), eventLoop: loop)
        for upstream in targets {
            upstream.query(query, on: loop, timeout: timeout) { result in
                tally.value.left -= 1
                switch result {
                case .success(let message):
                    if Self.isGood(message) {
                        promise.succeed(.answer(message, from: upstream))
                    } else if tally.value.badAnswer == nil {
                        tally.value.badAnswer = (message, upstream)
                    }
                case .failure(let error):
                    tally.value.lastError = UpstreamError.from(error)
                }
                if tally.value.left == 0 {
                    if let (message, from) = tally.value.badAnswer {
                        promise.succeed(.answer(message, from: from))
                    } else {
                        promise.succeed(.failed(noneAvailable: false, lastError: tally.value.lastError))
                    }
                }
            }
        }
        return promise.futureResult
    }

    private struct ParallelTally {
        var left: Int
        var badAnswer: (Message, Upstream)?
        var lastError: UpstreamError?
    }

    /// SERVFAIL and REFUSED mean "ask someone else"; every other rcode is an answer.
    static func isGood(_ message: Message) -> Bool {
        message.rcode != .servFail && message.rcode != .refused
    }
}
