import ControlProto

/// `cache.dump [limit]`: a bounded sample of the entries (never the whole cache at once).
struct CacheDumpMethod: ControlMethod {
    let name = "cache.dump"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let limit = try params.optionalInt("limit", in: 1...10_000) ?? 100
        var entries: [JSONValue] = []
        for (_, cache) in try CacheTarget.caches(context) where entries.count < limit {
            entries += cache.store.dump(limit: limit - entries.count).map(CacheTarget.entryJSON)
        }
        return .array(entries)
    }
}
