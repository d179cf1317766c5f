import NIOCore

/// A plugin's answer still on its way (upstream I/O): completed once, followed by callbacks.
///
/// Why not an `EventLoopFuture<PluginOutcome>`: a forwarded miss passed through six futures,
/// and each is a generic class whose creation and deinit look up type metadata at run time,
/// with a callback list on top: about a fifth of the CPU of a miss (docs/benchmarks.md). This
/// is a plain class with one inline callback.
///
/// It belongs to `loop`: callbacks are added there and run there. `complete` may be called
/// from any thread and hops to `loop` when it is not on it.
public final class PendingOutcome: @unchecked Sendable {
    public typealias Completion = Result<PluginOutcome, any Error>
    /// Not `@Sendable`: callbacks only ever run on `loop`, so they may hold that loop's state.
    public typealias Callback = (Completion) -> Void

    public let loop: EventLoop
    private var result: Completion?
    private var first: Callback?
    /// Further callbacks: rare (a test watching, serve-stale's timer racing the answer).
    private var others: [Callback] = []

    public init(on loop: EventLoop) {
        self.loop = loop
    }

    /// Completed by `future` (for plugins whose work is async code or NIO futures).
    public convenience init(following future: EventLoopFuture<PluginOutcome>, on loop: EventLoop) {
        self.init(on: loop)
        future.whenComplete { self.complete($0) }
    }

    public func succeed(_ outcome: PluginOutcome) { complete(.success(outcome)) }

    public func fail(_ error: any Error) { complete(.failure(error)) }

    /// The first completion counts; later ones are ignored.
    public func complete(_ completion: Completion) {
        guard loop.inEventLoop else {
            loop.execute { self.complete(completion) }
            return
        }
        guard result == nil else { return }
        result = completion
        let callbacks = others
        others = []
        if let callback = first {
            first = nil
            callback(completion)
        }
        for callback in callbacks { callback(completion) }
    }

    /// Runs `body` on `loop` with the completion: at once when it is in. Call on `loop`.
    public func whenComplete(_ body: @escaping Callback) {
        assert(loop.inEventLoop, "PendingOutcome.whenComplete off its event loop")
        if let result { return body(result) }
        if first == nil { first = body } else { others.append(body) }
    }

    /// The same completion as a future, for callers that compose futures (tests, async code).
    public var futureResult: EventLoopFuture<PluginOutcome> {
        let promise = loop.makePromise(of: PluginOutcome.self)
        if loop.inEventLoop {
            whenComplete { promise.completeWith($0) }
        } else {
            loop.execute { self.whenComplete { promise.completeWith($0) } }
        }
        return promise.futureResult
    }
}
