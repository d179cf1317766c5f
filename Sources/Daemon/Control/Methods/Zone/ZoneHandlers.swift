extension ControlMethodTable {
    /// The zone area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let zoneHandlers: [any ControlMethod] = [
        ZoneListMethod(), ZoneShowMethod(), ZoneGetMethod(), ZoneAddMethod(), ZoneDeleteMethod(),
        ZoneBeginMethod(), ZoneCommitMethod(), ZoneAbortMethod(), ZoneReloadMethod(), ZoneRetransferMethod(),
    ]
}
