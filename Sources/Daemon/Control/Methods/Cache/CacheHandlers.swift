extension ControlMethodTable {
    /// The cache area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let cacheHandlers: [any ControlMethod] = []
}
