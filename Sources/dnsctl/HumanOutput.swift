import Foundation
import ControlProto

/// Renders results for people: `name = value` for flat objects, one item per line for
/// lists of scalars, indented JSON for anything deeper.
enum HumanOutput {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "ok"
        case .array(let items) where items.allSatisfy(isScalar):
            return items.map(scalarText).joined(separator: "\n")
        case .object(let object) where object.values.allSatisfy(isScalar):
            let width = object.keys.map(\.count).max() ?? 0
            return object.keys.sorted().map { key in
                "\(key.padding(toLength: width, withPad: " ", startingAt: 0)) = \(scalarText(object[key]!))"
            }.joined(separator: "\n")
        case .array(let items) where items.allSatisfy(isFlatObject):
            return table(items)
        case .object(let object) where object.values.allSatisfy({ isScalar($0) || isTable($0) || isScalarList($0) }):
            var sections: [String] = []
            // Short lists of scalars read best inline: `zones = a., b.`
            let scalars = object.filter { isScalar($0.value) || isScalarList($0.value) }.mapValues { value -> JSONValue in
                guard case .array(let items) = value else { return value }
                return .string(items.map(scalarText).joined(separator: ", "))
            }
            if !scalars.isEmpty { sections.append(render(.object(scalars))) }
            for key in object.keys.sorted() where scalars[key] == nil {
                guard case .array(let rows) = object[key]! else { continue }
                sections.append("\(key):\n" + (rows.isEmpty ? "  (none)" : table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")))
            }
            return sections.joined(separator: "\n\n")
        default:
            return value.prettyText
        }
    }

    /// Rows of flat objects as aligned columns; the header is the union of their keys.
    static func table(_ rows: [JSONValue]) -> String {
        let columns = Array(Set(rows.flatMap { row -> [String] in
            if case .object(let object) = row { return Array(object.keys) }
            return []
        })).sorted { columnOrder($0, $1) }
        let cells = rows.map { row in columns.map { row[$0].map(scalarText) ?? "" } }
        let widths = columns.indices.map { index in max(columns[index].count, cells.map { $0[index].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(columns.map { $0.uppercased() })] + cells.map(line)).joined(separator: "\n")
    }

    /// Identifying columns (name, key) first, counts last, the rest alphabetically.
    static func columnOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ column: String) -> Int {
            switch column {
            case "name", "key", "zone", "origin": return 0
            case "count": return 2
            default: return 1
            }
        }
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b
    }

    static func isFlatObject(_ value: JSONValue) -> Bool {
        if case .object(let object) = value { return object.values.allSatisfy(isScalar) }
        return false
    }

    static func isScalarList(_ value: JSONValue) -> Bool {
        if case .array(let items) = value { return items.allSatisfy(isScalar) && !items.isEmpty || items.isEmpty }
        return false
    }

    static func isTable(_ value: JSONValue) -> Bool {
        if case .array(let items) = value { return items.allSatisfy(isFlatObject) }
        return false
    }

    /// One query event as a log line: time client transport name type rcode latency source.
    static func queryEventLine(_ event: JSONValue) -> String {
        let fields: [String] = [
            event["time"].map(scalarText) ?? "-",
            event["client"]?.stringValue ?? "-",
            event["transport"]?.stringValue ?? "-",
            event["name"]?.stringValue ?? "-",
            event["type"]?.stringValue ?? "-",
            event["rcode"]?.stringValue ?? "-",
            (event["latency_us"]?.intValue).map { "\($0)us" } ?? "-",
            event["source"]?.stringValue ?? "-",
        ]
        return fields.joined(separator: " ")
    }

    static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }

    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        default: return value.jsonText
        }
    }
}
