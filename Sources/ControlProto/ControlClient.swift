import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a control call failed before the daemon could answer.
public enum ControlClientError: Error, Sendable, CustomStringConvertible {
    case cannotConnect(path: String, reason: String)
    case io(String)
    case badResponse(String)
    case timedOut

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason): return "cannot connect to \(path): \(reason) (is dnsd running? --socket or DNSD_SOCKET selects another socket)"
        case .io(let reason): return "control socket: \(reason)"
        case .badResponse(let text): return "unreadable response from dnsd: \(text)"
        case .timedOut: return "dnsd did not answer in time"
        }
    }
}

/// A blocking JSON-RPC client over the Unix control socket: one request line, one response
/// line. Simple on purpose: dnsctl makes one call, the console makes one call at a time.
public final class ControlClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    /// Connects; `timeout` bounds every later read and write.
    public init(path: String, timeout: Duration = .seconds(10)) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ControlClientError.cannotConnect(path: path, reason: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw ControlClientError.cannotConnect(path: path, reason: "path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ControlClientError.cannotConnect(path: path, reason: reason)
        }
        let seconds = timeout.components.seconds
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Calls a method and returns its result; a JSON-RPC error is thrown as `RPCError`.
    public func call(_ method: String, params: JSONValue? = nil) throws -> JSONValue {
        let id = nextID
        nextID += 1
        try send(RPCRequest(method: method, params: params, id: .int(id)))
        while true {
            let line = try readLine()
            // Notifications of a subscription may arrive between responses; skip them here.
            guard let response = try? JSONDecoder().decode(RPCResponse.self, from: Data(line)) else {
                if (try? JSONDecoder().decode(RPCRequest.self, from: Data(line))) != nil { continue }
                throw ControlClientError.badResponse(String(decoding: line.prefix(200), as: UTF8.self))
            }
            // An error with a null id is about the connection itself (refused, limit hit).
            if response.id == .null, let error = response.error { throw error }
            guard response.id == .int(id) else { continue }
            if let error = response.error { throw error }
            return response.result ?? .null
        }
    }

    /// Sends raw text as one line (for tests of the server's error handling).
    public func sendRaw(_ text: String) throws -> String {
        try write(Array((text + "\n").utf8))
        return String(decoding: try readLine(), as: UTF8.self)
    }

    private func send(_ request: RPCRequest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(request))
        bytes.append(UInt8(ascii: "\n"))
        try write(bytes)
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw ControlClientError.timedOut }
                throw ControlClientError.io(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// The next newline-terminated line, without the newline.
    public func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw ControlClientError.timedOut }
                throw ControlClientError.io(String(cString: strerror(errno)))
            }
            if count == 0 { throw ControlClientError.io("dnsd closed the connection") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
