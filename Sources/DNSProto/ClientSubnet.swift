/// The EDNS Client Subnet option (RFC 7871 §6): an address prefix of the original client.
public struct ClientSubnet: Sendable, Hashable, CustomStringConvertible {
    /// 1 = IPv4, 2 = IPv6 (IANA address family numbers).
    public var family: UInt16
    public var sourcePrefixLength: UInt8
    public var scopePrefixLength: UInt8
    /// Exactly ceil(sourcePrefixLength / 8) octets, bits past the prefix zero.
    public var address: [UInt8]

    /// Builds the option for an address, keeping only the first `sourcePrefixLength` bits.
    public init(family: UInt16, address fullAddress: [UInt8], sourcePrefixLength: UInt8, scopePrefixLength: UInt8 = 0) {
        self.family = family
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
        self.address = Self.truncate(fullAddress, toBits: Int(sourcePrefixLength))
    }

    /// Decodes the option data, rejecting what RFC 7871 §6 calls malformed.
    public init(optionData data: [UInt8]) throws {
        guard data.count >= 4 else { throw DNSWireError.badOPT("client subnet shorter than 4 octets") }
        family = UInt16(data[0]) << 8 | UInt16(data[1])
        sourcePrefixLength = data[2]
        scopePrefixLength = data[3]
        let maxBits: Int
        switch family {
        case 1: maxBits = 32
        case 2: maxBits = 128
        default: throw DNSWireError.badOPT("client subnet family \(family)")
        }
        guard Int(sourcePrefixLength) <= maxBits, Int(scopePrefixLength) <= maxBits else {
            throw DNSWireError.badOPT("client subnet prefix longer than the address")
        }
        address = Array(data[4...])
        guard address.count == (Int(sourcePrefixLength) + 7) / 8 else {
            throw DNSWireError.badOPT("client subnet address of \(address.count) octets for /\(sourcePrefixLength)")
        }
        guard Self.truncate(address, toBits: Int(sourcePrefixLength)) == address else {
            throw DNSWireError.badOPT("client subnet has bits set past its prefix")
        }
    }

    public var optionData: [UInt8] {
        [UInt8(family >> 8), UInt8(truncatingIfNeeded: family), sourcePrefixLength, scopePrefixLength] + address
    }

    static func truncate(_ bytes: [UInt8], toBits bits: Int) -> [UInt8] {
        var out = Array(bytes.prefix((bits + 7) / 8))
        if bits % 8 != 0, let last = out.indices.last {
            out[last] &= UInt8(truncatingIfNeeded: 0xFF << (8 - bits % 8))
        }
        return out
    }

    public var description: String {
        let text: String
        if family == 1 {
            text = (address + [0, 0, 0, 0]).prefix(4).map(String.init).joined(separator: ".")
        } else {
            text = HexEncoding.encode(address).lowercased()
        }
        return "\(text)/\(sourcePrefixLength)/\(scopePrefixLength)"
    }
}
