extension ControlMethodTable {
    /// The system area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let systemHandlers: [any ControlMethod] = [ListMethodsMethod(), MethodHelpMethod(), MethodSignatureMethod(), WhoAmIMethod()]
}
