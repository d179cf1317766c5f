extension MethodCatalog {
    /// Configuration reload.
    static let configMethods: [MethodDescriptor] = [
    ]
}
