import ControlProto
import Resolver

/// `policy.lists`: the lists in force with what was loaded and skipped and how many queries
/// each blocked, the groups, the answer, and the pause.
struct PolicyListsMethod: ControlMethod {
    let name = "policy.lists"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let blocklists = try context.blocklists()
        let blocked = context.runtime.policyState.blockedByList
        let lists: [JSONValue] = blocklists.lists.map { list in
            .object([
                "name": .string(list.name), "file": .string(list.source), "allow": .bool(list.allow),
                "rules": .int(list.rules.blocked.count), "exceptions": .int(list.rules.exceptions.count),
                "skipped": .int(list.rules.skipped),
                "first_skipped": .array(list.rules.firstSkipped.map { .object(["line": .int($0.line), "reason": .string($0.reason)]) }),
                "blocked": .int(Int(clamping: blocked[list.name] ?? 0)),
            ])
        }
        let groups: [JSONValue] = blocklists.groups.map { group in
            .object(["name": .string(group.name), "clients": .array(group.clients.map { .string($0.description) }),
                     "lists": .array(group.lists.map { .string(blocklists.lists[$0].name) })])
        }
        var result = context.pauseState()
        result["answer"] = .string(blocklists.answer.rawValue)
        result["lists"] = .array(lists)
        result["groups"] = .array(groups)
        return .object(result)
    }
}
