import Daemon
import Foundation

/// What the configuration code accepts, found by asking the parser itself: a section given an
/// unknown key answers "unknown key ... (expected one of: a, b, c)", which lists the section's
/// keys, so the key paths come from the code that reads them and cannot drift from it.
enum ConfigSchema {
    static let probe = "zz_drift_probe"

    /// Every key path the configuration accepts (`tcp.idle_timeout`, `control.admins.users`):
    /// `leaves` are the keys that hold values (what docs must name), `accepted` the sections too;
    /// and every plugin's keys by plugin name.
    static func discover() -> (leaves: Set<String>, accepted: Set<String>, plugins: [String: Set<String>]) {
        var keys: Set<String> = []
        let top = expected(yaml: "\(probe): 1\n")
        for key in top {
            keys.insert(key)
            explore(path: [key], yaml: { inner in "\(key): \(inner)" }, into: &keys, depth: 2)
        }
        // Sections are documented through their keys: only the leaves must be named.
        let sections = Set(keys.compactMap { key in key.split(separator: ".").dropLast().isEmpty ? nil : key.split(separator: ".").dropLast().joined(separator: ".") })
        var plugins: [String: Set<String>] = [:]
        for plugin in knownPlugins() {
            plugins[plugin] = expected(yaml: "servers: [{zones: [.], plugins: [{\(plugin): {\(probe): 1}}]}]\n")
        }
        return (keys.subtracting(sections), keys, plugins)
    }

    /// The sub-keys of `path`, tried both as a mapping and as a list of mappings.
    private static func explore(path: [String], yaml: (String) -> String, into keys: inout Set<String>, depth: Int) {
        guard depth > 0 else { return }
        var children = expected(yaml: yaml("{\(probe): 1}") + "\n")
        if children.isEmpty { children = expected(yaml: yaml("[{\(probe): 1}]") + "\n") }
        for child in children {
            keys.insert((path + [child]).joined(separator: "."))
            explore(path: path + [child], yaml: { inner in yaml("{\(child): \(inner)}") }, into: &keys, depth: depth - 1)
        }
    }

    private static func knownPlugins() -> Set<String> {
        expected(yaml: "servers: [{zones: [.], plugins: [{\(probe): {}}]}]\n")
    }

    /// The keys an "unknown key 'PROBE' (expected one of: ...)" error lists; empty otherwise.
    private static func expected(yaml: String) -> Set<String> {
        let message = error(yaml: yaml)
        guard message.contains("unknown key '\(probe)'"), let range = message.range(of: "(expected one of: ") else { return [] }
        return Set(message[range.upperBound...].prefix { $0 != ")" }.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    private static func error(yaml: String) -> String {
        let text = "listen: [udp://127.0.0.1:0]\n" + yaml + (yaml.hasPrefix("servers") ? "" : "servers: [{zones: [.], plugins: [{zone: {inline: '@ 60 IN SOA a b 1 1 1 1 1'}}]}]\n")
        do {
            _ = try DaemonConfig.parse(yaml: text, file: "probe.yaml", baseDirectory: "/tmp")
            return ""
        } catch {
            return "\(error)"
        }
    }
}

/// What the docs say exists, read from their text.
enum DocsText {
    /// Backticked tokens of a text (`` `rrl.window` `` gives rrl.window).
    static func backticked(_ text: String) -> Set<String> {
        var tokens: Set<String> = []
        for part in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() where part.offset % 2 == 1 {
            tokens.insert(String(part.element))
        }
        return tokens
    }

    /// The key column of the configuration reference's table: every key path it names
    /// (cells like "`rrl.ipv4_prefix`, `rrl.ipv6_prefix`" name two).
    static func referenceKeys(_ text: String) -> Set<String> {
        var keys: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            keys.formUnion(backticked(String(cell)))
        }
        return keys
    }

    /// The reload column of the configuration reference's tables (`live` or `restart`), by key
    /// path: the column headed "reload" in a table whose first column is "key".
    static func reloadColumn(_ text: String) -> [String: String] {
        var column: Int?
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("| key |") {
                column = cells.firstIndex(of: "reload")
            } else if line.hasPrefix("| `"), let column, column < cells.count {
                for key in backticked(cells[1]) { values[key] = cells[column] }
            } else if !line.hasPrefix("|") {
                column = nil
            }
        }
        return values
    }

    /// Keys written in a plugin page's Syntax block (`    name: value`), the plugin's own name
    /// (`- cache:`) left out.
    static func syntaxKeys(_ text: String, plugin: String) -> Set<String> {
        guard let start = text.range(of: "## Syntax") else { return [] }
        let section = text[start.upperBound...].prefix { _ in true }
        let block = section.components(separatedBy: "```")
        guard block.count > 1 else { return [] }
        var keys: Set<String> = []
        for line in block[1].split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces).drop { $0 == "-" }.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = trimmed[..<colon]
            if !key.isEmpty, key != plugin, key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) { keys.insert(String(key)) }
        }
        return keys
    }

    /// Metric names in the first column of a metrics table.
    static func metricNames(_ text: String) -> Set<String> {
        Set(referenceKeys(text).filter { $0.hasPrefix("dnsd_") })
    }
}
