import NIOCore

/// A response the pipeline is still working out (`QueryHandler.Result.pending`): the listener
/// calls `whenReady` once, and gets the encoded bytes (nil: send nothing) on `loop`.
///
/// A callback rather than an `EventLoopFuture<[UInt8]?>` for the same reason as
/// `PendingOutcome`: a future per miss is an allocation plus run-time metadata lookups.
public struct PendingResponse: Sendable {
    /// The query's event loop, where the bytes are handed over.
    public let loop: EventLoop
    private let start: @Sendable (@escaping ([UInt8]?) -> Void) -> Void

    init(loop: EventLoop, start: @escaping @Sendable (@escaping ([UInt8]?) -> Void) -> Void) {
        self.loop = loop
        self.start = start
    }

    /// Call once, on `loop`.
    public func whenReady(_ body: @escaping ([UInt8]?) -> Void) {
        assert(loop.inEventLoop, "PendingResponse.whenReady off its event loop")
        start(body)
    }

    /// The bytes as a future, for callers that compose futures (tests).
    public var futureResult: EventLoopFuture<[UInt8]?> {
        let promise = loop.makePromise(of: [UInt8]?.self)
        if loop.inEventLoop {
            start { promise.succeed($0) }
        } else {
            loop.execute { start { promise.succeed($0) } }
        }
        return promise.futureResult
    }
}
