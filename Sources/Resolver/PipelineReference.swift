import Atomics
import NIOConcurrencyHelpers

/// The pipeline in force, swappable as a whole by `config.reload` while queries run.
/// A query reads it once; queries already running finish on the pipeline they started with.
public final class PipelineReference: Sendable {
    private let box: NIOLockedValueBox<Pipeline>
    private let udpPayload: ManagedAtomic<UInt16>

    /// Wire answers in front of this pipeline; emptied whenever the pipeline is replaced.
    public let packetCache: PacketCache

    /// `maxUDPPayload`: `edns_udp_size`, which a reload may change with the pipeline.
    public init(_ pipeline: Pipeline, packetCache: PacketCache = PacketCache(), maxUDPPayload: UInt16 = 1232) {
        box = NIOLockedValueBox(pipeline)
        udpPayload = ManagedAtomic(maxUDPPayload)
        self.packetCache = packetCache
        UDPSocketPool.shared.limit = pipeline.admission.inFlight.upstreamSockets
    }

    public var current: Pipeline { box.withLockedValue { $0 } }

    /// The UDP payload size advertised in EDNS and the most sent over UDP to an EDNS client
    /// (1232 by default: the DNS flag day 2020 value that avoids IP fragmentation). Read per
    /// answer, so one atomic load rather than the pipeline's lock.
    public var maxUDPPayload: UInt16 { udpPayload.load(ordering: .relaxed) }

    public func replace(with pipeline: Pipeline, maxUDPPayload: UInt16? = nil) {
        if let maxUDPPayload { udpPayload.store(maxUDPPayload, ordering: .relaxed) }
        box.withLockedValue { $0 = pipeline }
        // The full path's upstream sockets are the process's, shared by every pipeline: their
        // cap is the one in force (the relay reads its own from each burst's pipeline).
        UDPSocketPool.shared.limit = pipeline.admission.inFlight.upstreamSockets
        // After the swap: a query that began on the old pipeline carries the old generation,
        // so what it fills is never served.
        packetCache.invalidateAll()
    }
}
