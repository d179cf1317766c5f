import Yams

/// A YAML node with the file and key path it came from, so every error can say where.
public struct ConfigNode {
    public let node: Node
    public let file: String
    public let path: String

    public init(node: Node, file: String, path: String) {
        self.node = node
        self.file = file
        self.path = path
    }

    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, key: path, message: message)
    }

    private func child(_ node: Node, _ suffix: String) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path.isEmpty ? suffix : path + suffix)
    }

    /// The entries of a mapping, checked against the keys this section accepts.
    public func mapping(allowed: Set<String>) throws -> [String: ConfigNode] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value)") }
        var result: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw child(keyNode, "").error("keys must be strings") }
            let entry = child(value, path.isEmpty ? key : "." + key)
            guard allowed.contains(key) else {
                throw ConfigNode(node: keyNode, file: file, path: entry.path)
                    .error("unknown key '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[key] == nil else { throw entry.error("key '\(key)' appears twice") }
            result[key] = entry
        }
        return result
    }

    /// A sequence; a single scalar is accepted as a one-element list.
    public func list() throws -> [ConfigNode] {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { child($1, "[\($0)]") }
        case .scalar:
            return [self]
        default:
            throw error("expected a list")
        }
    }

    public func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string") }
        return scalar.string
    }

    public func stringList() throws -> [String] { try list().map { try $0.string() } }

    public func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw error("expected an integer") }
        guard range.contains(value) else { throw error("\(value) is outside \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    public func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found '\(scalar.string)'")
        }
    }

    /// A duration: plain seconds or units like `50us`, `500ms`, `10s`, `5m`, `1h`, `1d`.
    public func duration() throws -> Duration {
        let text = try string().lowercased()
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        if let seconds = Double(text), seconds >= 0 { return .nanoseconds(Int64((seconds * 1e9).rounded())) }
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 {
                return .nanoseconds(Int64((value * scale * 1e9).rounded()))
            }
        }
        throw error("expected a duration like 10s, 500ms or 5m, found '\(text)'")
    }
}
