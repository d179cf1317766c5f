import Logging

/// The `log:` section: how much dnsd logs and in which form. Both keys apply on
/// `config.reload` and SIGHUP (docs/operations.md "Logs").
///
/// ```yaml
/// log: {level: info, format: text}    # format: json for log shippers
/// ```
public struct LogSettings: Sendable, Equatable {
    /// The least severe level written.
    public var level: Logger.Level = .info
    public var format: LogFormat = .text

    public init(level: Logger.Level = .info, format: LogFormat = .text) {
        self.level = level
        self.format = format
    }

    /// The names `log.level` accepts, least severe first.
    static let levelNames = Logger.Level.allCases.map(\.rawValue)

    static func parse(_ node: ConfigNode) throws -> LogSettings {
        let keys = try node.mapping(allowed: ["level", "format"])
        var settings = LogSettings()
        if let level = keys["level"] {
            let value = try level.string()
            guard let parsed = Logger.Level(rawValue: value) else {
                throw level.error("unknown log level '\(value)' (expected one of: \(levelNames.joined(separator: ", ")))")
            }
            settings.level = parsed
        }
        if let format = keys["format"] {
            let value = try format.string()
            guard let parsed = LogFormat(rawValue: value) else { throw format.error("log.format is text or json, found '\(value)'") }
            settings.format = parsed
        }
        return settings
    }
}

/// How a log line is written: for people (`text`) or one JSON object per line (`json`).
public enum LogFormat: String, Sendable, Equatable {
    case text
    case json
}
