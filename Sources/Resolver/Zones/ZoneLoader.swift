import DNSProto
import Foundation

/// Reads zone files from disk (DNSProto does no I/O) and builds checked zones.
public enum ZoneLoader {
    /// Loads `path` (and its `$INCLUDE`s) as the zone `origin`. Errors are `PresentationError`s
    /// that name file:line:column.
    public static func load(path: String, origin: DNSName) throws -> AuthoritativeZone {
        let text = try readFile(path, includedFrom: nil)
        return try parse(text: text, file: path, origin: origin)
    }

    /// Builds a zone from zone-file text, e.g. a zone embedded in the configuration.
    public static func parse(text: String, file: String, origin: DNSName) throws -> AuthoritativeZone {
        let parsed = try ZoneFileParser.parse(text: text, file: file, origin: origin) { includePath in
            try readFile(includePath, includedFrom: file)
        }
        return try AuthoritativeZone(origin: parsed.origin, records: parsed.records, locations: parsed.locations)
    }

    private static func readFile(_ path: String, includedFrom: String?) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (permission?)" : "does not exist"
            throw ZoneLoadError(path: path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ZoneLoadError(path: path, reason: "is not valid UTF-8")
        }
        return text
    }
}

/// A zone file that could not be opened at all.
public struct ZoneLoadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): zone file \(reason)" }
}
