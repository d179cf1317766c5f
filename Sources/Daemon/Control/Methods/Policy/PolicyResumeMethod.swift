import ControlProto
import Resolver

/// `policy.resume`: blocks again after `policy.pause`.
struct PolicyResumeMethod: ControlMethod {
    let name = "policy.resume"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        _ = try context.blocklists()
        context.runtime.policyState.resume()
        return .object(context.pauseState())
    }
}
