import ControlProto
import Resolver

/// `acl.stats`: each access rule's matches, by rule name and action, since dnsd started.
struct ACLStatsMethod: ControlMethod {
    let name = "acl.stats"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(context.runtime.admissionCounters.ruleCounts.map { rule in
            .object(["rule": .string(rule.name), "action": .string(rule.action.rawValue), "matches": .int(Int(clamping: rule.count))])
        })
    }
}
