import ControlProto
import DNSProto

/// `cache.lookup NAME [TYPE]`: what the caches hold for a name, TTLs as they would be served:
/// each cache plugin's entries, then the packet-cache copies filed through it (kind `packet`,
/// one per query-flag combination; the UDP relay keeps its answers only there).
struct CacheLookupMethod: ControlMethod {
    let name = "cache.lookup"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let name = try DNSNameText(try params.string("name")).name
        let type = try params.optionalString("type").map { text -> RecordType in
            guard let type = RecordType(mnemonic: text) else { throw RPCError.badParams("unknown type '\(text)'") }
            return type
        }
        let packetCache = context.runtime.pipeline.packetCache
        return .array(try CacheTarget.caches(context).flatMap { target in
            target.cache.store.lookup(name: name, type: type).map(CacheTarget.entryJSON)
                + packetCache.lookup(name: name, type: type, store: target.cache.store).map(CacheTarget.packetEntryJSON)
        })
    }
}
