extension MethodCatalog {
    /// Authoritative zones and durable edits.
    static let zoneMethods: [MethodDescriptor] = [
    ]
}
