import ControlProto
import DNSProto
import Resolver

/// `cache.flush [name] [type] [subtree]`: all entries, a name, a name and type, or a subtree.
struct CacheFlushMethod: ControlMethod {
    let name = "cache.flush"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        // A `recurse` plugin's infrastructure cache (zone cuts, server addresses) is flushed too.
        let recursors = context.runtime.plugins(of: RecursePlugin.self).map(\.plugin)
        let caches = recursors.isEmpty ? try CacheTarget.caches(context) : (try? CacheTarget.caches(context)) ?? []
        let nameText = try params.optionalString("name") ?? ""
        let name = nameText.isEmpty ? nil : try DNSNameText(nameText).name
        let typeText = try params.optionalString("type").flatMap { $0.isEmpty ? nil : $0 }
        let type = try typeText.map { text -> RecordType in
            guard let type = RecordType(mnemonic: text) else { throw RPCError.badParams("unknown type '\(text)'") }
            return type
        }
        let subtree = try params.optionalBool("subtree") ?? false
        if name == nil, type != nil || subtree { throw RPCError.badParams("'type' and 'subtree' need a 'name'") }
        if type != nil, subtree { throw RPCError.badParams("give either 'type' or 'subtree', not both") }
        var flushed = 0
        for (_, cache) in caches {
            switch (name, type, subtree) {
            case (nil, _, _): flushed += cache.store.flush()
            case (let name?, let type?, _): flushed += cache.store.flush(name: name, type: type)
            case (let name?, nil, true): flushed += cache.store.flush(subtree: name)
            case (let name?, nil, false): flushed += cache.store.flush(name: name)
            }
        }
        for recursor in recursors {
            if let name { flushed += recursor.infrastructure.flush(name: name, subtree: subtree) } else { flushed += recursor.infrastructure.flush() }
            // The DNSSEC outcomes per zone go too (not counted: they are derived, not answers).
            if let name { recursor.zoneSecurity.flush(name: name, subtree: subtree) } else { recursor.zoneSecurity.flush() }
        }
        return .object(["flushed": .int(flushed)])
    }
}
