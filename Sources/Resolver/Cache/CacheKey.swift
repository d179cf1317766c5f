import DNSProto
import NIOCore

/// What a cached answer is filed under: the question (lower-cased name, type, class), the
/// DO and CD bits (RFC 4035 §4.5: answers differ with them), and for ECS answers the client
/// subnet at the answer's scope (RFC 7871 §7.3.1). `subnet == nil` is an answer for everyone.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// The question name's lower-cased wire form (so `WWW.Example.` and `www.example.` share).
    public var name: [UInt8]
    public var type: UInt16
    public var recordClass: UInt16
    /// Bit 0: DO, bit 1: CD.
    public var flags: UInt8
    public var subnet: CacheSubnet?

    public init(name: DNSName, type: RecordType, recordClass: RecordClass, dnssecOK: Bool, checkingDisabled: Bool,
                subnet: CacheSubnet? = nil) {
        self.name = name.lowercasedWire
        self.type = type.rawValue
        self.recordClass = recordClass.rawValue
        self.flags = (dnssecOK ? 1 : 0) | (checkingDisabled ? 2 : 0)
        self.subnet = subnet
    }

    /// The key of `query`'s question, without a subnet; nil when there is no question.
    public init?(query: Message) {
        guard let question = query.question else { return nil }
        self.init(name: question.name, type: question.type, recordClass: question.recordClass,
                  dnssecOK: query.edns?.dnssecOK ?? false, checkingDisabled: query.header.checkingDisabled)
    }

    /// The name's bytes go to the hasher in one call (the synthesized version feeds an array
    /// element by element), the small fields as one word: keys are hashed several times per miss.
    public func hash(into hasher: inout Hasher) {
        name.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(UInt64(type) << 24 | UInt64(recordClass) << 8 | UInt64(flags))
        hasher.combine(subnet)
    }

    public var dnssecOK: Bool { flags & 1 != 0 }
    public var checkingDisabled: Bool { flags & 2 != 0 }

    /// The same question without the subnet: what sharding and the scope index use.
    public var base: CacheKey {
        var key = self
        key.subnet = nil
        return key
    }

    /// The question name (the wire form was validated when the key was made).
    public var domainName: DNSName {
        var reader = WireReader(name)
        return (try? reader.readName()) ?? .root
    }

    public var description: String {
        var text = "\(domainName) \(RecordClass(rawValue: recordClass)) \(RecordType(rawValue: type))"
        if dnssecOK { text += " +do" }
        if checkingDisabled { text += " +cd" }
        if let subnet { text += " ecs=\(subnet)" }
        return text
    }
}

/// A client subnet as the cache files it: address family (1 = IPv4, 2 = IPv6), prefix length
/// and the address with every bit past the prefix cleared.
///
/// All three live in one array (family, prefix, then the address) so that the type is one
/// pointer and `CacheSubnet?` costs a `CacheKey` 8 bytes instead of 24: every cache entry holds
/// its key twice (dictionary and node), and nearly all keys have no subnet.
public struct CacheSubnet: Hashable, Sendable, CustomStringConvertible {
    private var storage: [UInt8]

    public var family: UInt16 {
        get { UInt16(storage[0]) << 8 | UInt16(storage[1]) }
        set { storage[0] = UInt8(newValue >> 8); storage[1] = UInt8(truncatingIfNeeded: newValue) }
    }

    public var prefix: UInt8 {
        get { storage[2] }
        set { storage[2] = newValue }
    }

    public var address: [UInt8] {
        get { Array(storage[3...]) }
        set { storage.replaceSubrange(3..., with: newValue) }
    }

    public init(family: UInt16, prefix: UInt8, address: [UInt8]) {
        storage = [UInt8(family >> 8), UInt8(truncatingIfNeeded: family), prefix] + Self.truncate(address, toBits: Int(prefix))
    }

    static func truncate(_ bytes: [UInt8], toBits bits: Int) -> [UInt8] {
        var out = Array(bytes.prefix((bits + 7) / 8))
        while out.count < (bits + 7) / 8 { out.append(0) }
        if bits % 8 != 0, let last = out.indices.last {
            out[last] &= UInt8(truncatingIfNeeded: 0xFF << (8 - bits % 8))
        }
        return out
    }

    public var description: String { ClientSubnet(family: family, address: address, sourcePrefixLength: prefix).description }
}

/// The client address a lookup matches scoped entries against: from the query's ECS option
/// (only as many bits as its SOURCE PREFIX-LENGTH), or else from the socket the query came in on.
struct CacheClientAddress: Sendable {
    var family: UInt16
    /// Bits of `address` that are known; scoped entries longer than this cannot match.
    var knownBits: UInt8
    var address: [UInt8]

    /// nil when the client asked for no ECS (SOURCE PREFIX-LENGTH 0, RFC 7871 §7.1.2) or the
    /// address is unknown: such queries only see answers for everyone.
    init?(query: Message, client: SocketAddress?) {
        if let subnet = query.edns?.clientSubnet {
            guard subnet.sourcePrefixLength > 0 else { return nil }
            family = subnet.family
            knownBits = subnet.sourcePrefixLength
            address = subnet.address
            return
        }
        switch client {
        case .v4(let v4)?:
            // s_addr is already in network order: its bytes are the dotted quad's octets.
            var raw = v4.address.sin_addr.s_addr
            address = withUnsafeBytes(of: &raw) { Array($0) }
            family = 1
            knownBits = 32
        case .v6(let v6)?:
            var raw = v6.address.sin6_addr
            address = withUnsafeBytes(of: &raw) { Array($0) }
            family = 2
            knownBits = 128
        default:
            return nil
        }
    }

    func subnet(prefix: UInt8) -> CacheSubnet { CacheSubnet(family: family, prefix: prefix, address: address) }
}
