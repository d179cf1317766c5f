#if canImport(Glibc)
import Glibc
#endif
import DNSProto

/// The EDNS client-subnet option (RFC 7871) the relay adds to a client's query under
/// `forward: {ecs: {mode: add}}`: the client's address cut to `ipv4_prefix` or `ipv6_prefix`
/// (an IPv4-mapped IPv6 client as IPv4), scope 0, as ForwardPlugin.clientSubnet makes it.
struct RelaySubnet: Equatable {
    /// The option as it goes on the wire: code, length, family, source prefix, scope, address.
    let option: [UInt8]

    /// The client's subnet, or nil for an address family the option cannot carry.
    init?(peer: UnsafePointer<sockaddr>, ipv4Prefix: UInt8, ipv6Prefix: UInt8) {
        switch Int32(peer.pointee.sa_family) {
        case AF_INET:
            let address = peer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            self.init(family: 1, address: withUnsafeBytes(of: address) { Array($0) }, prefix: min(ipv4Prefix, 32))
        case AF_INET6:
            let address = peer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
                self.init(family: 1, address: Array(address[12...]), prefix: min(ipv4Prefix, 32))
            } else {
                self.init(family: 2, address: address, prefix: min(ipv6Prefix, 128))
            }
        default:
            return nil
        }
    }

    /// Source prefix 0, "use no subnet" (RFC 7871 §7.1.2): for a background refresh, which has
    /// no client and renews an answer that was good for every subnet.
    static let anyone = RelaySubnet(family: 1, address: [], prefix: 0)

    private init(family: UInt16, address: [UInt8], prefix: UInt8) {
        let kept = (Int(prefix) + 7) / 8
        var bytes = Array(address.prefix(kept))
        if prefix % 8 != 0, let last = bytes.indices.last { bytes[last] &= ~UInt8(0xFF >> (prefix % 8)) }
        let length = 4 + bytes.count
        option = [0, UInt8(EDNSOption.clientSubnetCode), UInt8(length >> 8), UInt8(truncatingIfNeeded: length),
                  UInt8(family >> 8), UInt8(truncatingIfNeeded: family), prefix, 0] + bytes
    }

    /// Mixed into the in-flight key, so that only clients of one subnet share an upstream query.
    var keyBits: UInt64 {
        option.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
