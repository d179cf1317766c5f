import ControlProto
import Foundation

/// `stats.reset`: `stats.get` counts from zero again. Prometheus counters are monotonic by
/// contract and keep running.
struct StatsResetMethod: ControlMethod {
    let name = "stats.reset"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        context.runtime.resetStats()
        return .object(["reset_at": .string(ISO8601DateFormatter().string(from: Date()))])
    }
}
