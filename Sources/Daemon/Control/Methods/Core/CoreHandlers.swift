extension ControlMethodTable {
    /// The core area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let coreHandlers: [any ControlMethod] = [PingMethod(), VersionMethod(), UptimeMethod()]
}
