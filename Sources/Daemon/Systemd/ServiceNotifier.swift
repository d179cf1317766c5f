import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager what dnsd is doing, with the `sd_notify(3)` datagram protocol
/// written out here rather than linked from libsystemd: one datagram of `KEY=VALUE` lines to
/// the Unix socket named by `$NOTIFY_SOCKET` (an abstract socket when the name starts with
/// `@`). Without `$NOTIFY_SOCKET` (not started by systemd, or not `Type=notify`) every call
/// does nothing, which is what a daemon run from a shell wants.
///
/// Messages are rare (start, reloads, stop, a watchdog ping every few seconds), so each one
/// opens and closes its own socket: nothing to share between threads, nothing to leak.
public struct ServiceNotifier: Sendable {
    /// The socket's name as the environment gave it; nil when there is none to tell.
    public let socketName: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let name = environment["NOTIFY_SOCKET"] ?? ""
        // sd_notify accepts only absolute paths and abstract names ("vsock:" addresses are
        // for virtual machines, which dnsd does not run as).
        socketName = name.hasPrefix("/") || name.hasPrefix("@") ? name : nil
    }

    public var isEnabled: Bool { socketName != nil }

    /// `READY=1`: every listener is bound and the zones are loaded (also the end of a reload).
    public func ready(status: String) { send(["READY=1", "STATUS=\(status)"]) }

    /// `RELOADING=1` with the monotonic time systemd pairs with the `READY=1` that ends it.
    public func reloading(status: String) {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())", "STATUS=\(status)"])
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping(status: String) { send(["STOPPING=1", "STATUS=\(status)"]) }

    /// `WATCHDOG=1`: the query path answered its probe (ServiceWatchdog.swift).
    public func watchdog() { send(["WATCHDOG=1"]) }

    public func status(_ text: String) { send(["STATUS=\(text)"]) }

    /// Sends the lines as one datagram; false when there is no socket or the send failed
    /// (systemd then notices by itself: a missing READY times out the start, a missing
    /// WATCHDOG restarts the service).
    @discardableResult
    public func send(_ lines: [String]) -> Bool {
        guard let socketName else { return false }
        // A newline inside a value would start a new assignment: STATUS texts are one line.
        let text = lines.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let target = Self.address(socketName) else { return false }
        var address = target.0
        let length = target.1
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        return sent == bytes.count
    }

    /// The `sockaddr_un` for a path (NUL-terminated) or an abstract name (`@` becomes the
    /// leading NUL byte, and the length counts exactly the name: abstract names are not
    /// terminated). Nil when the name does not fit.
    static func address(_ name: String) -> (sockaddr_un, socklen_t)? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 } else { bytes.append(0) }
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        // sun_path follows sun_family.
        let length = MemoryLayout<sa_family_t>.size + bytes.count
        return (address, socklen_t(length))
    }

    /// CLOCK_MONOTONIC in microseconds, the clock `MONOTONIC_USEC` is read against.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
