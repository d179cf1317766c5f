extension MethodCatalog {
    /// The forward plugin's upstream servers.
    static let upstreamMethods: [MethodDescriptor] = [
    ]
}
