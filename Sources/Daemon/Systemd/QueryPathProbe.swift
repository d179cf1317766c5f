import Dispatch
import Foundation
import NIOCore
import Resolver
#if canImport(Glibc)
import Glibc
#endif

/// One question to dnsd's own query path, asked the way a client asks it, so that the
/// watchdog pings systemd only while queries are really being answered.
///
/// The probe is a bare DNS header with no question (QDCOUNT 0): the UDP worker that reads it
/// hands it to its event loop like any miss, and the query handler answers FORMERR there. So
/// one probe crosses a UDP worker thread, the miss queue and an event loop, yet it asks no
/// upstream, names no server block (no access rule applies to it), and is neither counted nor
/// shown in the query stream (those record questions).
public struct QueryPathProbe: Sendable {
    enum Target: Sendable {
        /// A UDP listener, reached over loopback when it listens on a wildcard address.
        case udp(SocketAddress)
        /// No UDP listener: the same bare query through the handler on an event loop.
        case eventLoop(QueryHandler, EventLoopGroup)
    }

    let target: Target
    let timeout: Double

    /// The first UDP listener of `listeners` (with the port it really got), or the event
    /// loops when there is none.
    init(udpListener: ListenAddress?, queries: QueryHandler, group: EventLoopGroup, timeout: Double) {
        self.timeout = timeout
        if let listener = udpListener,
           let address = try? SocketAddress.makeAddressResolvingHost(Self.reachableHost(listener.host), port: listener.port) {
            target = .udp(address)
        } else {
            target = .eventLoop(queries, group)
        }
    }

    /// Where to reach a listener from this host: loopback for the wildcard addresses.
    static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return host
        }
    }

    public var description: String {
        switch target {
        case .udp(let address): return "udp \(address)"
        case .eventLoop: return "event loop"
        }
    }

    /// Nil when the query path answered within the timeout; otherwise what went wrong.
    public func check() -> String? {
        let id = UInt16.random(in: 1...UInt16.max)
        let query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        switch target {
        case .udp(let address): return checkUDP(address, query: query, id: id)
        case .eventLoop(let queries, let group): return checkEventLoop(queries, group: group, query: query)
        }
    }

    private func checkUDP(_ address: SocketAddress, query: [UInt8], id: UInt16) -> String? {
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let connected = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
        guard connected == 0 else { return "connect to \(address): \(String(cString: strerror(errno)))" }
        guard query.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == query.count else {
            return "send to \(address): \(String(cString: strerror(errno)))"
        }
        var reply = [UInt8](repeating: 0, count: 512)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 12 else { break }
            // The reply to this probe: same ID, QR set.
            if reply[0] == UInt8(id >> 8), reply[1] == UInt8(id & 0xFF), reply[2] & 0x80 != 0 { return nil }
        }
        return "no answer from \(address) within \(timeout) s"
    }

    private func checkEventLoop(_ queries: QueryHandler, group: EventLoopGroup, query: [UInt8]) -> String? {
        let loop = group.next()
        let answered = DispatchSemaphore(value: 0)
        loop.execute {
            if case .respond = queries.handle(query, context: QueryContext(client: nil, transport: .tcp, eventLoop: loop)) {
                answered.signal()
            }
        }
        return answered.wait(timeout: .now() + timeout) == .success ? nil : "the event loop did not answer within \(timeout) s"
    }
}
