extension ControlMethodTable {
    /// The upstream area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let upstreamHandlers: [any ControlMethod] = []
}
