extension MethodCatalog {
    /// Counters and latency.
    static let statsMethods: [MethodDescriptor] = [
    ]
}
