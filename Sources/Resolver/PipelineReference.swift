import NIOConcurrencyHelpers

/// The pipeline in force, swappable as a whole by `config.reload` while queries run.
/// A query reads it once; queries already running finish on the pipeline they started with.
public final class PipelineReference: Sendable {
    private let box: NIOLockedValueBox<Pipeline>

    /// Wire answers in front of this pipeline; emptied whenever the pipeline is replaced.
    public let packetCache: PacketCache

    public init(_ pipeline: Pipeline, packetCache: PacketCache = PacketCache()) {
        box = NIOLockedValueBox(pipeline)
        self.packetCache = packetCache
        UDPSocketPool.shared.limit = pipeline.admission.inFlight.upstreamSockets
    }

    public var current: Pipeline { box.withLockedValue { $0 } }

    public func replace(with pipeline: Pipeline) {
        box.withLockedValue { $0 = pipeline }
        // The full path's upstream sockets are the process's, shared by every pipeline: their
        // cap is the one in force (the relay reads its own from each burst's pipeline).
        UDPSocketPool.shared.limit = pipeline.admission.inFlight.upstreamSockets
        // After the swap: a query that began on the old pipeline carries the old generation,
        // so what it fills is never served.
        packetCache.invalidateAll()
    }
}
