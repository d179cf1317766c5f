import ControlProto
import Resolver

extension ControlMethodTable {
    /// The blocklists' method handlers (catalog: ControlProto/MethodCatalog+Policy.swift).
    static let policyHandlers: [any ControlMethod] = [PolicyCheckMethod(), PolicyPauseMethod(), PolicyResumeMethod(), PolicyListsMethod()]
}

extension ControlContext {
    /// The blocklists in force, or the error a method about them gives without any.
    func blocklists() throws -> Blocklists {
        guard let blocklists = runtime.pipeline.current.admission.blocklists else {
            throw RPCError(code: RPCError.operationFailed, message: "no blocklists are configured (the blocklists: section, docs/policy.md)")
        }
        return blocklists
    }

    /// `{"paused": ..., "seconds_left": ...}` as the pause methods and `policy.lists` give it.
    func pauseState() -> [String: JSONValue] {
        let (paused, left) = runtime.policyState.paused()
        return ["paused": .bool(paused), "seconds_left": left.map { .int($0) } ?? .null]
    }
}
