import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Why dnsd would not keep running after binding its sockets.
struct PrivilegeError: Error, CustomStringConvertible {
    var description: String
}

/// Gives up root once every socket is bound (`user:`): after this, a bug in the query path
/// cannot bind ports, read other users' files or become root again.
///
/// Supplementary groups first (initgroups: the user's own, so that membership of e.g.
/// `ssl-cert` still reads certificate keys on `tls.reload`), then the group, then the user, in
/// that order (once the uid changes, the gid can no longer). The kernel clears every
/// capability when root becomes another user, and glibc applies setgroups, setgid and setuid
/// to every thread of the process (the UDP workers and event loops already run).
///
/// Then it checks rather than trusts: the ids are the ones asked for, setuid(0) and setgid(0)
/// fail, and no thread in /proc/self/task holds an effective or permitted capability.
///
/// Started as that user already (systemd's `User=dnsd`), there is nothing to drop; started as
/// root without `user:`, root is what was asked for.
enum PrivilegeDrop {
    /// Drops as described above; throws when a step fails or the result does not check out.
    static func apply(_ account: ServiceAccount?, logger: Logger) throws {
        guard let account else {
            if geteuid() == 0 {
                logger.notice("running as root: add 'user: dnsd' (or another unprivileged user) to the configuration to drop privileges after binding")
            }
            return
        }
        if geteuid() != 0 {
            guard getuid() == account.uid, getgid() == account.gid else {
                throw PrivilegeError(description: "user: \(account.user) needs dnsd to start as root or as that user (it runs as uid \(getuid()), gid \(getgid()))")
            }
            logger.info("running as \(account.description) from the start; nothing to drop")
            return
        }
        guard initgroups(account.user, account.gid) == 0 else {
            throw PrivilegeError(description: "initgroups(\(account.user)): \(String(cString: strerror(errno)))")
        }
        guard setgid(account.gid) == 0 else { throw PrivilegeError(description: "setgid(\(account.gid)): \(String(cString: strerror(errno)))") }
        guard setuid(account.uid) == 0 else { throw PrivilegeError(description: "setuid(\(account.uid)): \(String(cString: strerror(errno)))") }
        try verify(account)
        logger.info("dropped privileges: running as \(account.description), no capabilities")
    }

    private static func verify(_ account: ServiceAccount) throws {
        guard getuid() == account.uid, geteuid() == account.uid, getgid() == account.gid, getegid() == account.gid else {
            throw PrivilegeError(description: "after dropping to \(account.description) dnsd runs as uid \(getuid())/\(geteuid()) gid \(getgid())/\(getegid())")
        }
        // setuid(0) and setgid(0) succeed only for a process that still has a way back.
        guard setuid(0) != 0, setgid(0) != 0 else {
            throw PrivilegeError(description: "after dropping privileges dnsd could still become root again")
        }
        if let holder = threadsHoldingCapabilities().first {
            throw PrivilegeError(description: "after dropping privileges thread \(holder.thread) still holds capabilities \(String(holder.capabilities, radix: 16))")
        }
    }

    /// Threads of this process whose CapEff or CapPrm is not empty, per /proc/self/task
    /// (capabilities are per thread); empty where there is no /proc.
    static func threadsHoldingCapabilities() -> [(thread: String, capabilities: UInt64)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            guard let status = try? String(contentsOfFile: "/proc/self/task/\(task)/status", encoding: .utf8) else { return nil }
            var held: UInt64 = 0
            for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") || line.hasPrefix("CapPrm:") {
                held |= UInt64(line.split(separator: "\t").last ?? "", radix: 16) ?? 0
            }
            return held == 0 ? nil : (task, held)
        }
    }
}
