import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Why the control socket could not be opened.
struct ControlSocketError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "control socket \(path): \(reason)" }
}

/// Prepares the socket path: creates the directory, and removes a stale socket file left by a
/// dead daemon, but never one a live daemon still answers on.
enum ControlSocketBinder {
    static func prepare(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o750])
            } catch {
                throw ControlSocketError(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlSocketError(path: path, reason: "exists and is not a socket; refusing to replace it")
        }
        if isAnswering(path) {
            throw ControlSocketError(path: path, reason: "another daemon is listening on it")
        }
        unlink(path)
    }

    /// Applies the configured mode and group after binding.
    static func applyPermissions(path: String, mode: mode_t, group: String?) throws {
        guard chmod(path, mode) == 0 else {
            throw ControlSocketError(path: path, reason: "chmod: \(String(cString: strerror(errno)))")
        }
        guard let group else { return }
        guard let entry = getgrnam(group) else { throw ControlSocketError(path: path, reason: "unknown group '\(group)'") }
        guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
            throw ControlSocketError(path: path, reason: "chown to group \(group): \(String(cString: strerror(errno)))")
        }
    }

    private static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
