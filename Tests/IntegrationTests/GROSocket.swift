import Foundation
import Testing

/// A UDP socket on 127.0.0.1 (port chosen by the kernel) that, with `gro`, asks for UDP GRO:
/// a message its sender had the kernel segment (UDP_SEGMENT) then arrives whole, with its
/// segment size, instead of cut into datagrams. That makes a sender's coalescing visible.
final class GROSocket {
    let fd: Int32
    let address: sockaddr_in

    /// 127.0.0.1:`port` (0: any port).
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    init(gro: Bool = true) throws {
        let socketFD = socket(AF_INET, LoopbackPort.datagramType, 0)
        try #require(socketFD >= 0)
        var bound = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bindResult = withUnsafePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        let groResult = gro ? setsockopt(socketFD, Int32(IPPROTO_UDP), 104 /* UDP_GRO */, &one, 4) : 0
        fd = socketFD
        address = bound
        try #require(bindResult == 0)
        try #require(groResult == 0)
    }

    deinit { close(fd) }

    /// One read: its bytes and, when the kernel handed over a coalesced message, its segment size.
    func read() -> (bytes: [UInt8], segment: Int?)? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var control = [UInt8](repeating: 0, count: 64)
        return buffer.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    let count = recvmsg(fd, &message, 0)
                    guard count >= 0 else { return nil }
                    // struct cmsghdr is { size_t len; int level; int type; } with the data after it.
                    var segment: Int?
                    if message.msg_controllen >= 18 {
                        let level = controlBytes.load(fromByteOffset: 8, as: Int32.self)
                        let type = controlBytes.load(fromByteOffset: 12, as: Int32.self)
                        if level == Int32(IPPROTO_UDP) && type == 104 {
                            segment = Int(controlBytes.load(fromByteOffset: 16, as: UInt16.self))
                        }
                    }
                    return (Array(bytes.prefix(count)), segment)
                }
            }
        }
    }
}

