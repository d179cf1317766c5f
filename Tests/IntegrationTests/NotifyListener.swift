import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The service manager's end of sd_notify, as a test plays it: a Unix datagram socket whose
/// name goes into dnsd's `$NOTIFY_SOCKET`, and the messages dnsd sends to it, each with the
/// time it arrived.
final class NotifyListener {
    struct Message {
        let text: String
        let arrived: Date
        /// The message's `KEY=VALUE` lines.
        var lines: [String] { text.split(separator: "\n").map(String.init) }
        func value(_ key: String) -> String? {
            lines.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
    }

    /// What to put in NOTIFY_SOCKET: the path, or `@name` for an abstract socket.
    let name: String
    private let fd: Int32

    /// A socket at `path`, or in the abstract namespace when `path` starts with `@`.
    init(_ path: String) throws {
        name = path
        fd = socket(AF_UNIX, LoopbackPort.datagramType, 0)
        guard fd >= 0 else { throw IntegrationError("socket(AF_UNIX, SOCK_DGRAM) failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 } else { bytes.append(0) }
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw IntegrationError("notify socket name too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw IntegrationError("cannot bind notify socket \(path): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// The next message, or nil when none arrives within `timeout` seconds.
    func next(timeout: Double) -> Message? {
        // A zero SO_RCVTIMEO would mean "wait forever".
        let timeout = max(timeout, 0.001)
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return Message(text: String(decoding: buffer[..<count], as: UTF8.self), arrived: Date())
    }

    /// Messages until one has the line `line` (returned last), for at most `timeout` seconds.
    func messages(until line: String, timeout: Double) throws -> [Message] {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [Message] = []
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = next(timeout: deadline.timeIntervalSinceNow) else { break }
            seen.append(message)
            if message.lines.contains(line) { return seen }
        }
        throw IntegrationError("no \(line) within \(timeout) s; got: \(seen.map(\.text))")
    }

    /// Every message that arrives within `seconds`.
    func messages(for seconds: Double) -> [Message] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [Message] = []
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = next(timeout: deadline.timeIntervalSinceNow) else { break }
            seen.append(message)
        }
        return seen
    }
}
