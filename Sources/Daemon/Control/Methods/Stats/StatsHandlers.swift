extension ControlMethodTable {
    /// The stats area's method handlers (their catalog entries: ControlProto/MethodCatalog+*.swift).
    static let statsHandlers: [any ControlMethod] = [StatsGetMethod(), StatsResetMethod(), LatencyHistogramMethod()]
}
