import Foundation

extension ConfigNode {
    /// A file path value (a certificate, a list, a secret); a relative one is resolved against
    /// `baseDirectory`, the configuration file's directory.
    func filePath(relativeTo baseDirectory: String) throws -> String {
        let path = try string()
        guard !path.isEmpty else { throw error("expected a file path") }
        if path.hasPrefix("/") || baseDirectory.isEmpty { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }
}
