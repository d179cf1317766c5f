import Foundation

/// The files in Fixtures/ (zones, scripts) and scratch directories to run servers in.
enum Fixtures {
    /// The copied Fixtures directory inside the test target's resource bundle.
    static func directory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw IntegrationError("the Fixtures resource directory is missing from the test bundle")
        }
        return url
    }

    /// Path of one fixture file.
    static func path(_ name: String) throws -> String {
        let url = try directory().appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw IntegrationError("fixture \(name) is missing at \(url.path)")
        }
        return url.path
    }

    /// A fresh empty directory under the system temp directory.
    static func scratchDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies fixture `name` into `directory` and returns the copy's path.
    @discardableResult
    static func copy(_ name: String, into directory: URL) throws -> String {
        let destination = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(atPath: try path(name), toPath: destination.path)
        return destination.path
    }
}
