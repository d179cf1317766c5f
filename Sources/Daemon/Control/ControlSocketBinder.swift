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

/// Prepares the socket path: creates the directory or checks the one that is there, and
/// removes a stale socket file left by a dead daemon, but never one a live daemon still
/// answers on.
///
/// `owner`: the account dnsd drops to after binding (`user:`), which must own what it
/// creates here, so that it can remove the socket at shutdown.
enum ControlSocketBinder {
    static func prepare(path: String, owner: ServiceAccount? = nil) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o750])
            } catch {
                throw ControlSocketError(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
            }
            if let owner, chown(directory, owner.uid, owner.gid) != 0 {
                throw ControlSocketError(path: path, reason: "cannot give \(directory) to \(owner.user): \(String(cString: strerror(errno)))")
            }
        }
        try checkDirectory(directory.isEmpty ? "." : directory, socket: path, owner: owner)
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

    /// Refuses a socket directory that someone other than dnsd's user could change: whoever can
    /// write there can replace the socket with their own (the default `/tmp/dnsd-UID` can be
    /// made by any local user before dnsd starts) and read what `dnsctl` sends, or answer it.
    /// Group write is allowed only for dnsd's own group. A directory of root's is fine too:
    /// root can replace anything anyway.
    static func checkDirectory(_ directory: String, socket path: String, owner: ServiceAccount? = nil) throws {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw ControlSocketError(path: path, reason: "cannot inspect its directory \(directory): \(String(cString: strerror(errno)))")
        }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        let fix = "remove it so dnsd creates it, or chown it to dnsd's user and chmod go-w"
        let uid = owner?.uid ?? geteuid(), gid = owner?.gid ?? getegid()
        guard info.st_uid == uid || info.st_uid == 0 else {
            throw ControlSocketError(path: path, reason: "refusing to use directory \(directory): it belongs to uid \(info.st_uid), not to dnsd's user (uid \(uid)), so that user could replace the socket; \(fix)")
        }
        guard info.st_mode & S_IWOTH == 0, info.st_mode & S_IWGRP == 0 || info.st_gid == gid else {
            throw ControlSocketError(path: path, reason: "refusing to use directory \(directory): its mode \(mode) lets other users write there and replace the socket; \(fix)")
        }
    }

    /// Applies the configured mode and group after binding; the socket goes to `owner`
    /// (and its group, unless `group` names another).
    static func applyPermissions(path: String, mode: mode_t, group: String?, owner: ServiceAccount? = nil) throws {
        guard chmod(path, mode) == 0 else {
            throw ControlSocketError(path: path, reason: "chmod: \(String(cString: strerror(errno)))")
        }
        if let owner, chown(path, owner.uid, owner.gid) != 0 {
            throw ControlSocketError(path: path, reason: "chown to \(owner.user): \(String(cString: strerror(errno)))")
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
