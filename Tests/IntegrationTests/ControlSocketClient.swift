import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw Unix-socket connection to dnsd's control socket, for sending exactly the bytes a
/// test wants (garbage, oversized or half-written requests) and reading reply lines.
final class ControlSocketClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String, timeout: Double = 5) throws {
        fd = socket(AF_UNIX, LoopbackPort.streamType, 0)
        guard fd >= 0 else { throw IntegrationError("socket(AF_UNIX) failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
            raw[min(bytes.count, raw.count - 1)] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw IntegrationError("cannot connect to \(path): errno \(errno)")
        }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// The next line, or nil on timeout or when dnsd closed the connection.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    /// Sends a request line and parses the reply line as a JSON object.
    func call(_ json: String) throws -> [String: Any] {
        send(json + "\n")
        guard let line = readLine() else { throw IntegrationError("no reply to \(json)") }
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw IntegrationError("reply is not a JSON object: \(line)")
        }
        return object
    }

    /// The integer values `stats.get` gives for names starting with `prefix`.
    func stats(_ prefix: String) throws -> [String: Int] {
        let reply = try call(#"{"jsonrpc":"2.0","id":1,"method":"stats.get","params":{"prefix":"\#(prefix)"}}"#)
        guard let result = reply["result"] as? [String: Any] else { throw IntegrationError("stats.get failed: \(reply)") }
        return result.compactMapValues { $0 as? Int }
    }
}
