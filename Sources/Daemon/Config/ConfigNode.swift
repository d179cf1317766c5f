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

    /// An integer within `range`. Digits too many for `Int` are out of range, not "not an
    /// integer": the operator wrote a number, and the message should say which numbers fit.
    public func int(in range: ClosedRange<Int>) throws -> Int {
        let outside = "is outside \(range.lowerBound)...\(range.upperBound)"
        guard case .scalar(let scalar) = node else { throw error("expected an integer") }
        let text = scalar.string
        guard let value = Int(text) else {
            let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
            if !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) { throw error("\(text) \(outside)") }
            throw error("expected an integer, found '\(text)'")
        }
        guard range.contains(value) else { throw error("\(value) \(outside)") }
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
}
