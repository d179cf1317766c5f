import DNSProto
import Metrics
import NIOConcurrencyHelpers
import Resolver

/// `dnsd_queries_total{transport, block}` and `dnsd_request_duration_seconds{transport, block}`:
/// one counter and one histogram per transport and server block, the block named by its first
/// zone (`none` for names no block serves).
///
/// The block is found the way the pipeline finds it (longest zone suffix, on the pipeline in
/// force, so a `config.reload` that changes the blocks is followed at once). The counters live
/// in a short list searched under a lock by comparing zone names: a handful of blocks, no
/// hashing of names. A counter is made the first time its pair occurs; after a reload the old
/// blocks' series stay (Prometheus counters must not vanish mid-life) and the new ones join.
final class ServerBlockCounters: Sendable {
    /// The label for queries outside every server block (they are answered REFUSED). Zones
    /// always end in a dot, so it cannot collide with a block's name.
    static let noBlock = "none"

    private struct Entry {
        var zone: DNSName?
        var transport: Int
        var counter: Counter
        var duration: Metrics.Timer
    }

    private let pipeline: PipelineReference
    private let factory: any MetricsFactory
    private let entries = NIOLockedValueBox<[Entry]>([])

    init(pipeline: PipelineReference, factory: any MetricsFactory) {
        self.pipeline = pipeline
        self.factory = factory
    }

    func series(for name: DNSName, transport: Int) -> (queries: Counter, duration: Metrics.Timer) {
        let zone = pipeline.current.block(for: name)?.zones.first
        return entries.withLockedValue { entries in
            for entry in entries where entry.transport == transport && entry.zone == zone { return (entry.counter, entry.duration) }
            let dimensions = [("transport", Transport.allCases[transport].rawValue), ("block", zone?.description ?? Self.noBlock)]
            let counter = Counter(label: "dnsd_queries_total", dimensions: dimensions, factory: factory)
            let duration = Metrics.Timer(label: "dnsd_request_duration_seconds", dimensions: dimensions, factory: factory)
            entries.append(Entry(zone: zone, transport: transport, counter: counter, duration: duration))
            return (counter, duration)
        }
    }
}
