import ControlProto
import Resolver

/// `rrl.list [limit]`: the client networks response rate limiting limited most, with the
/// response kind, how many responses were withheld or slipped, and how long ago the last was.
struct RRLListMethod: ControlMethod {
    let name = "rrl.list"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let limit = try params.optionalInt("limit", in: 1...1000) ?? 20
        let admission = context.runtime.pipeline.current.admission
        return .array(admission.limitedNetworks(top: limit).map { entry in
            .object(["network": .string(entry.network), "kind": .string(entry.kind), "limited": .int(Int(clamping: entry.limited)),
                     "last_seconds_ago": .double((entry.secondsAgo * 10).rounded() / 10)])
        })
    }
}
