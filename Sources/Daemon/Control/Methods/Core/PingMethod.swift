import ControlProto

/// `core.ping`: answers "pong"; a liveness check for scripts and monitors.
struct PingMethod: ControlMethod {
    let name = "core.ping"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue { .string("pong") }
}
