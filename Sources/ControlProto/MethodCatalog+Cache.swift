extension MethodCatalog {
    /// The cache plugin's store.
    static let cacheMethods: [MethodDescriptor] = [
    ]
}
