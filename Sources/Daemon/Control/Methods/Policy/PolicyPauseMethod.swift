import ControlProto
import Resolver

/// `policy.pause [seconds]`: stops blocking for a while (or until `policy.resume`), as a
/// household's "pause blocking" switch does. Kept across `config.reload`, not a restart.
struct PolicyPauseMethod: ControlMethod {
    let name = "policy.pause"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        _ = try context.blocklists()
        let seconds = try params.optionalInt("seconds", in: 1...86400)
        context.runtime.policyState.pause(seconds: seconds)
        return .object(context.pauseState())
    }
}
