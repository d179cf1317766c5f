import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// The files dnsd writes while it runs (zone journals and the zone files they compact into,
/// the cookie secret file), each with the configuration key that named it. They are checked
/// once dnsd runs as its final user (after PrivilegeDrop), so that a journal in a directory
/// the `user:` cannot write stops the start with file:line, not the first `zone.add` hours
/// later.
public final class WritableFiles: Sendable {
    struct Entry: Sendable {
        var path: String
        var purpose: String
        /// Where the configuration named it; the message is filled in by `check`.
        var location: ConfigError
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    public init() {}

    func add(_ path: String, purpose: String, at node: ConfigNode) {
        let entry = Entry(path: path, purpose: purpose, location: node.error(""))
        entries.withLockedValue { $0.append(entry) }
    }

    /// Throws a ConfigError at the key of the first file this process cannot write: its
    /// directory must be writable (files are replaced by temp + rename), and the file, when it
    /// exists, readable and writable. access(2) answers for the real uid, which after the
    /// drop is the `user:`; a read-only file system (ProtectSystem=strict) fails it too.
    public func check() throws {
        let user = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(getuid())"
        for entry in entries.withLockedValue({ $0 }) {
            let directory = (entry.path as NSString).deletingLastPathComponent
            var problem: String?
            if access(directory.isEmpty ? "." : directory, W_OK | X_OK) != 0 {
                problem = "user \(user) cannot write to \(directory) (\(String(cString: strerror(errno))))"
            } else if FileManager.default.fileExists(atPath: entry.path), access(entry.path, R_OK | W_OK) != 0 {
                problem = "user \(user) cannot write \(entry.path) (\(String(cString: strerror(errno))))"
            }
            if let problem {
                var error = entry.location
                error.message = "\(problem), where dnsd writes \(entry.purpose) \(entry.path); make it writable for \(user) or move the file"
                throw error
            }
        }
    }
}
