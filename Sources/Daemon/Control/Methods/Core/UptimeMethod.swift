import ControlProto
import Foundation

/// `core.uptime`: start time (ISO 8601, UTC) and seconds since.
struct UptimeMethod: ControlMethod {
    let name = "core.uptime"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let started = context.runtime.started
        return .object([
            "started": .string(ISO8601DateFormatter().string(from: started)),
            "seconds": .int(Int(Date().timeIntervalSince(started))),
        ])
    }
}
