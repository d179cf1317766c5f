import ControlProto
import Foundation
import Logging

/// One log event and the forms dnsd writes it in. A line is always one line: a newline inside
/// a message or value is written as `\n` in text, and JSON escapes it anyway.
struct LogRecord {
    var time: Date
    var level: Logger.Level
    var label: String
    var message: String
    var metadata: Logger.Metadata

    /// The syslog priority journald reads from a `<N>` prefix (sd-daemon(3)): swift-log's
    /// trace and debug are both LOG_DEBUG, critical is LOG_CRIT.
    var syslogPriority: Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `2026-01-05T10:00:00.123Z info dnsd: message key=value key2="two words"`; the time is
    /// left out under journald, which stamps lines itself.
    func text(withTime: Bool) -> String {
        var line = withTime ? Self.timestamp(time) + " " : ""
        line += "\(level) \(label): " + Self.singleLine(message)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=" + Self.quotedIfNeeded(Self.singleLine(Self.plainText(value)))
        }
        return line
    }

    /// `{"label":"dnsd","level":"info","message":"...","metadata":{...},"time":"2026-...Z"}`.
    var json: String {
        JSONValue.object([
            "time": .string(Self.timestamp(time)),
            "level": .string(level.rawValue),
            "label": .string(label),
            "message": .string(message),
            "metadata": .object(metadata.mapValues(Self.jsonValue)),
        ]).jsonText
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .array(let items): return .array(items.map(jsonValue))
        case .dictionary(let entries): return .object(entries.mapValues(jsonValue))
        }
    }

    private static func plainText(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let items): return "[" + items.map(plainText).joined(separator: ", ") + "]"
        case .dictionary(let entries): return "[" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \(plainText($0.value))" }.joined(separator: ", ") + "]"
        }
    }

    private static func singleLine(_ text: String) -> String {
        text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text
    }

    /// logfmt's rule: a value with a space, `=` or `"` (or none at all) is quoted.
    private static func quotedIfNeeded(_ text: String) -> String {
        guard text.isEmpty || text.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// RFC 3339 in UTC with milliseconds: sorts as text and means the same on every host.
    static func timestamp(_ date: Date) -> String { timeStyle.format(date) }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
