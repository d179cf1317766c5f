import ControlProto
import Resolver

/// `upstream.list`: every upstream of every forward plugin with its health and counters.
struct UpstreamListMethod: ControlMethod {
    let name = "upstream.list"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(context.runtime.plugins(of: ForwardPlugin.self).flatMap { block, forward in
            forward.statistics().map { stats in
                // The statistics are in milliseconds already; shown to a tenth.
                func milliseconds(_ value: Double?) -> JSONValue {
                    value.map { .double(($0 * 10).rounded() / 10) } ?? .null
                }
                return JSONValue.object([
                    "block": .string(block.zones.map(\.description).joined(separator: " ")),
                    "name": .string(stats.name), "state": .string(stats.state.rawValue),
                    "srtt_ms": milliseconds(stats.smoothedRTT), "p50_ms": milliseconds(stats.p50RTT), "p99_ms": milliseconds(stats.p99RTT),
                    "queries": .int(stats.queries), "timeouts": .int(stats.timeouts), "errors": .int(stats.errors),
                    "mismatched": .int(stats.mismatched),
                    "answers": .object(stats.answersByRcode.mapValues { .int($0) }),
                    "last_error": stats.lastError.map { .string($0) } ?? .null,
                ])
            }
        })
    }
}
