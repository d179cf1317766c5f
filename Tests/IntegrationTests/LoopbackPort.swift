#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free ports on 127.0.0.1 for servers under test.
enum LoopbackPort {
    /// A port that is free for both TCP and UDP right now: the kernel picks one for a TCP
    /// socket bound to port 0, and we keep it only if UDP can bind the same number too.
    /// Another process could still take it before the server binds; the tests start the
    /// server right away and fail loudly (not hang) if it could not bind.
    static func free() throws -> UInt16 {
        for _ in 0..<50 {
            let tcp = try SocketAddress.boundSocket(type: streamType, port: 0)
            defer { close(tcp.fd) }
            guard let udp = try? SocketAddress.boundSocket(type: datagramType, port: tcp.port) else { continue }
            close(udp.fd)
            return tcp.port
        }
        throw IntegrationError("could not find a loopback port free for both TCP and UDP")
    }

    #if os(Linux)
    // Linux's values (bits/socket_type.h), spelled out: in this test module Glibc's SOCK_STREAM
    // and SOCK_DGRAM went missing from some files' scope (Swift 6.3.1; another imported C
    // module's headers declare them too). The other socket tests use these.
    static let streamType: Int32 = 1
    static let datagramType: Int32 = 2
    #else
    static let streamType = SOCK_STREAM
    static let datagramType = SOCK_DGRAM
    #endif
}

/// The sockaddr plumbing the tests need for 127.0.0.1.
enum SocketAddress {
    /// `sockaddr_in` for 127.0.0.1:`port`.
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A socket of `type` bound to 127.0.0.1:`port` and the port it got.
    static func boundSocket(type: Int32, port: UInt16) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw IntegrationError("socket() failed: errno \(errno)") }
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw IntegrationError("bind to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: actual.sin_port))
    }
}
