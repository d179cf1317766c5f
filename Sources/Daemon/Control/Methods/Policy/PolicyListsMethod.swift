import ControlProto
import Foundation
import Resolver

/// `policy.lists`: the lists in force with what was loaded and skipped and how many queries
/// each blocked (for a downloaded list: its url, last download and last error), the groups,
/// the answer, and the pause.
struct PolicyListsMethod: ControlMethod {
    let name = "policy.lists"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let blocklists = try context.blocklists()
        let blocked = context.runtime.policyState.blockedByList
        let lists: [JSONValue] = blocklists.lists.map { list in
            var entry: [String: JSONValue] = [
                "name": .string(list.name), "file": .string(list.source), "allow": .bool(list.allow),
                "rules": .int(list.rules.blocked.count), "exceptions": .int(list.rules.exceptions.count),
                "skipped": .int(list.rules.skipped),
                "first_skipped": .array(list.rules.firstSkipped.map { .object(["line": .int($0.line), "reason": .string($0.reason)]) }),
                "blocked": .int(Int(clamping: blocked[list.name] ?? 0)),
            ]
            if let url = list.url {
                let status = context.runtime.blocklistFetcher.status(of: list.name)
                func time(_ date: Date?) -> JSONValue { date.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null }
                entry["url"] = .string(url)
                entry["refresh_seconds"] = .int(Int(list.refresh?.components.seconds ?? 0))
                entry["last_download"] = time(status?.lastSuccess)
                entry["last_attempt"] = time(status?.lastAttempt)
                entry["last_error"] = status?.lastError.map { .string($0) } ?? .null
                entry["next_attempt"] = time(status?.nextAttempt)
            }
            return .object(entry)
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
