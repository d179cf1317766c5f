#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking UDP and TCP clients on loopback with receive timeouts, for packets no DNS tool
/// will send (garbage, truncated headers) and for the readiness probe.
final class DNSSocket {
    let fd: Int32
    let isTCP: Bool

    private init(fd: Int32, isTCP: Bool) {
        self.fd = fd
        self.isTCP = isTCP
    }

    deinit { close(fd) }

    /// A UDP socket connected to 127.0.0.1:`port`, sending from `source` (another loopback
    /// address, for access-rule tests) when given.
    static func udp(port: UInt16, timeout: Double = 2, source: String? = nil) throws -> DNSSocket {
        try open(type: LoopbackPort.datagramType, port: port, timeout: timeout, isTCP: false, source: source)
    }

    /// A TCP connection to 127.0.0.1:`port`, from `source` (another loopback address) when given.
    static func tcp(port: UInt16, timeout: Double = 3, source: String? = nil) throws -> DNSSocket {
        try open(type: LoopbackPort.streamType, port: port, timeout: timeout, isTCP: true, source: source)
    }

    private static func open(type: Int32, port: UInt16, timeout: Double, isTCP: Bool, source: String? = nil) throws -> DNSSocket {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw IntegrationError("socket() failed: errno \(errno)") }
        let socket = DNSSocket(fd: fd, isTCP: isTCP)
        if let source {
            var local = SocketAddress.loopback(port: 0)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else { throw IntegrationError("not an IPv4 address: \(source)") }
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw IntegrationError("bind to \(source) failed: errno \(errno)") }
        }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = SocketAddress.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw IntegrationError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        return socket
    }

    /// Sends exactly these bytes (on TCP no length prefix is added: see `sendMessage`).
    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        repeat {
            let sent = bytes.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, noSignal)
            }
            guard sent >= 0 else { throw IntegrationError("send failed: errno \(errno)") }
            offset += sent
        } while isTCP && offset < bytes.count
    }

    #if os(Linux)
    /// A peer that closed must give EPIPE, not kill the test runner with SIGPIPE.
    private let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private let noSignal: Int32 = 0
    #endif

    /// Sends one DNS message, with the two-byte length prefix on TCP (RFC 1035 section 4.2.2).
    func sendMessage(_ message: [UInt8]) throws {
        try sendRaw(isTCP ? RawDNS.be16(UInt16(message.count)) + message : message)
    }

    /// The next datagram (UDP) or length-prefixed message (TCP); nil on timeout or when the
    /// peer closed the connection.
    func receiveMessage() -> [UInt8]? {
        if !isTCP {
            var buffer = [UInt8](repeating: 0, count: 65535)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count > 0 ? Array(buffer[0..<count]) : nil
        }
        guard let prefix = receiveExactly(2) else { return nil }
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        return receiveExactly(length)
    }

    /// The local port the kernel gave this socket.
    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Sets the kernel's receive buffer (SO_RCVBUF): small, a client that does not read fills
    /// it, and the server's socket stops being writable, sooner.
    func setReceiveBuffer(_ bytes: Int32) {
        var value = bytes
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Ends the connection now (deinit closes the descriptor later).
    func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// True when the peer has closed the TCP connection (recv returns 0) within the timeout.
    func peerClosed() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func receiveExactly(_ count: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: max(count, 1))
        while bytes.count < count {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - bytes.count, 0) }
            guard got > 0 else { return nil }
            bytes += buffer[0..<got]
        }
        return bytes
    }
}
