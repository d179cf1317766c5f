extension ControlMethodTable {
    /// The log area's method handlers (catalog: ControlProto/MethodCatalog+Log.swift).
    static let logHandlers: [any ControlMethod] = [LogReopenMethod()]
}
