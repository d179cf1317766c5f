extension ControlMethodTable {
    /// The cache area's method handlers (their catalog entries: ControlProto/MethodCatalog+Cache.swift).
    static let cacheHandlers: [any ControlMethod] = [CacheStatsMethod(), CacheFlushMethod(), CacheLookupMethod(), CacheDumpMethod()]
}
