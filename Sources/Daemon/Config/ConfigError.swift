/// A configuration problem, located in the YAML file by line, column and key path.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted key path, e.g. `servers[1].plugins[0].zone.file`.
    public var key: String
    public var message: String

    public init(file: String, line: Int, column: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = key.isEmpty ? "" : "\(key): "
        return "\(file):\(line):\(column): \(place)\(message)"
    }
}
