extension MethodCatalog {
    /// The live query stream and summaries of it.
    static let queryMethods: [MethodDescriptor] = [
    ]
}
