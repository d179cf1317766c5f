#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A client's IP address and port as a plain value: what a query event keeps of who asked.
/// Unlike NIO's `SocketAddress` (a class-backed enum) it costs no allocation or reference
/// count, so recording an event on the cache-hit path stays allocation-free; the text form is
/// made only when someone reads it.
public struct ClientAddress: Sendable, Hashable {
    /// 4 or 6.
    public let family: UInt8
    public let port: UInt16
    /// The address bytes, network order: the first 4 for IPv4, all 16 for IPv6.
    let high: UInt64
    let low: UInt64

    /// An address from its parts (rules, rate-limit tables); the port is 0.
    init(family: UInt8, high: UInt64, low: UInt64) {
        self.family = family
        port = 0
        self.high = high
        self.low = low
    }

    /// From a `sockaddr_in` or `sockaddr_in6`; nil for other families.
    public init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).load(as: sockaddr_in.self)
            family = 4
            port = UInt16(bigEndian: v4.sin_port)
            high = UInt64(UInt32(bigEndian: v4.sin_addr.s_addr)) << 32
            low = 0
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).load(as: sockaddr_in6.self)
            family = 6
            port = UInt16(bigEndian: v6.sin6_port)
            var bytes = v6.sin6_addr
            (high, low) = withUnsafeBytes(of: &bytes) { raw in
                (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
        default:
            return nil
        }
    }

    /// `192.0.2.1` or `2001:db8::1` (no prefix length); nil for anything else.
    public init?(text: String) {
        guard !text.contains("/"), let prefix = IPPrefix(text) else { return nil }
        self.init(family: prefix.family, high: prefix.high, low: prefix.low)
    }

    public init?(_ address: SocketAddress) {
        guard let made = address.withSockAddr({ pointer, _ in ClientAddress(pointer) }) else { return nil }
        self = made
    }

    /// The address as text: dotted quad, or RFC 5952 IPv6 (as inet_ntop writes it).
    public var ipAddress: String {
        var text = [CChar](repeating: 0, count: 64)
        if family == 4 {
            var address = in_addr(s_addr: UInt32(truncatingIfNeeded: high >> 32).bigEndian)
            inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
        } else {
            var words = (high.bigEndian, low.bigEndian)
            withUnsafeBytes(of: &words) { raw in _ = inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) }
        }
        let length = text.firstIndex(of: 0) ?? text.count
        return String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address in network order: 4 bytes for IPv4, 16 for IPv6 (dnstap's form).
    public var addressBytes: [UInt8] {
        var words = (high.bigEndian, low.bigEndian)
        let all = withUnsafeBytes(of: &words) { Array($0) }
        return family == 4 ? Array(all[0..<4]) : all
    }
}

extension ClientAddress {
    /// The same address with port 0: one client however many sockets it asks from.
    var withoutPort: ClientAddress { ClientAddress(family: family, high: high, low: low) }

    /// The same IP address, whatever the ports.
    public func isSameHost(as other: ClientAddress) -> Bool {
        family == other.family && high == other.high && low == other.low
    }
}
