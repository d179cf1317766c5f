import Foundation
import Logging

/// The swift-log handler every `Logger` of dnsd gets: it hands events to a `LogOutput`, whose
/// level and format a reload changes for all loggers at once.
public struct DaemonLogHandler: LogHandler {
    public let label: String
    let output: LogOutput
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// A level set on one logger (`logger.logLevel = .debug`) holds for that logger only;
    /// without one, the output's level, which follows `log.level`.
    private var ownLevel: Logger.Level?

    public init(label: String, output: LogOutput = .standardError) {
        self.label = label
        self.output = output
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? output.level }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        output.write(LogRecord(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged))
    }
}
