import ControlProto
import DNSProto
import Resolver

/// `policy.check name [client]`: whether the name is blocked for that client and why, or
/// why not: the question a blocklist's users ask first ("why was this blocked?").
struct PolicyCheckMethod: ControlMethod {
    let name = "policy.check"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let blocklists = try context.blocklists()
        let name = try DNSNameText(try params.string("name")).name
        let clientText = try params.optionalString("client")
        var client: ClientAddress?
        if let clientText {
            guard let parsed = ClientAddress(text: clientText) else { throw RPCError.badParams("'\(clientText)' is not an IP address") }
            client = parsed
        }
        let wire = name.lowercasedWire
        let says = blocklists.explain(wire, client: client)
        func rule(_ hit: Blocklists.Hit) -> String { DNSName(lowercasingWire: wire.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[hit.suffixStart...]) })?.description ?? "?" }
        func describe(_ hit: Blocklists.Hit) -> JSONValue { .object(["rule": .string(rule(hit)), "line": .int(Int(hit.line))]) }

        var result: [String: JSONValue] = [
            "name": .string(name.description), "client": clientText.map { .string($0) } ?? .null,
            "group": blocklists.group(for: client).map { .string($0.name) } ?? .null,
            "answer": .string(blocklists.answer.rawValue),
            "lists": .array(says.map { say in
                var entry: [String: JSONValue] = ["list": .string(blocklists.lists[say.list].name), "applies": .bool(say.applies)]
                if let hit = say.blockedBy { entry["blocks"] = describe(hit) }
                if let hit = say.exceptedBy { entry["excepts"] = describe(hit) }
                return .object(entry)
            }),
        ]
        let applying = says.filter(\.applies)
        let (paused, left) = context.runtime.policyState.paused()
        let block = wire.withUnsafeBytes { blocklists.blocking($0, client: client) }
        if let block, !paused {
            let list = blocklists.lists[block.list]
            result["blocked"] = .bool(true)
            result["list"] = .string(list.name)
            result["rule"] = .string(rule(block))
            result["line"] = .int(Int(block.line))
            result["file"] = .string(list.source)
            result["reason"] = .string("list \(list.name) blocks \(rule(block)) and every name below it (line \(block.line) of \(list.source))")
            return .object(result)
        }
        result["blocked"] = .bool(false)
        let reason: String
        if let block {
            reason = "list \(blocklists.lists[block.list].name) would block it (rule \(rule(block))), but blocking is paused"
                + (left.map { " for \($0) more seconds" } ?? " until policy.resume")
        } else if applying.contains(where: { $0.blockedBy != nil }), let exception = applying.first(where: { $0.exceptedBy != nil }),
                  let hit = exception.exceptedBy {
            reason = "list \(blocklists.lists[exception.list].name) excepts \(rule(hit)) (line \(hit.line)), which outranks every block"
        } else if let other = says.first(where: { !$0.applies && $0.blockedBy != nil }) {
            let group = blocklists.group(for: client)?.name
            reason = "list \(blocklists.lists[other.list].name) has it (rule \(rule(other.blockedBy!))) but does not apply to "
                + (group.map { "group \($0)" } ?? "clients in no group")
        } else {
            reason = "no list that applies has a rule for it or for a name above it"
        }
        result["reason"] = .string(reason)
        return .object(result)
    }
}
