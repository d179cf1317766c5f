extension ControlMethodTable {
    /// The config area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let configHandlers: [any ControlMethod] = [ConfigReloadMethod()]
}
