extension ControlMethodTable {
    /// The queries area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let queryHandlers: [any ControlMethod] = [QueriesSubscribeMethod(), QueriesUnsubscribeMethod(), QueriesTopMethod(),
                                                      ClientsShowMethod()]
}
