extension ConfigNode {
    /// One of the raw values of `T` (a key such as `action: drop`); the error names `key` and
    /// lists the values in declaration order.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, of type: T.Type = T.self) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw error("\(key) is \(T.allCases.map(\.rawValue).joined(separator: " or ")), found '\(text)'")
        }
        return value
    }
}
