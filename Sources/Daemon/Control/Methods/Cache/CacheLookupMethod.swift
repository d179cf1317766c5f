import ControlProto
import DNSProto

/// `cache.lookup NAME [TYPE]`: what the caches hold for a name, TTLs as they would be served.
struct CacheLookupMethod: ControlMethod {
    let name = "cache.lookup"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let name = try DNSNameText(try params.string("name")).name
        let type = try params.optionalString("type").map { text -> RecordType in
            guard let type = RecordType(mnemonic: text) else { throw RPCError.badParams("unknown type '\(text)'") }
            return type
        }
        return .array(try CacheTarget.caches(context).flatMap { $0.cache.store.lookup(name: name, type: type) }.map(CacheTarget.entryJSON))
    }
}
