import DNSProto

/// An IPv4 or IPv6 network: an address and how many leading bits of it count. What access
/// rules, rate-limit exemptions and the host's own subnets are made of.
///
/// Held as the same two 64-bit halves as `ClientAddress` (IPv4 in the top 32 bits of `high`),
/// so matching a client is two masked compares and no allocation.
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 6.
    public let family: UInt8
    public let length: Int
    let high: UInt64
    let low: UInt64

    init(family: UInt8, high: UInt64, low: UInt64, length: Int) {
        self.family = family
        self.length = length
        let (maskHigh, maskLow) = Self.masks(family: family, length: length)
        self.high = high & maskHigh
        self.low = low & maskLow
    }

    /// `10.0.0.0/8`, `192.0.2.1` (a /32), `2001:db8::/32`, `::1` (a /128); nil for anything else,
    /// including a length beyond the family's bits.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let address = String(parts[0])
        if let v4 = IPv4Address(address) {
            let length = parts.count == 2 ? Int(parts[1]) : 32
            guard let length, (0...32).contains(length) else { return nil }
            self.init(family: 4, high: UInt64(v4.value) << 32, low: 0, length: length)
        } else if let v6 = IPv6Address(address) {
            let length = parts.count == 2 ? Int(parts[1]) : 128
            guard let length, (0...128).contains(length) else { return nil }
            let bytes = v6.bytes
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            self.init(family: 6, high: high, low: low, length: length)
        } else {
            return nil
        }
    }

    /// The network of `client` at `length` bits: the key rate limits count a client under.
    init(_ client: ClientAddress, length: Int) {
        let client = client.unmapped
        self.init(family: client.family, high: client.high, low: client.low, length: min(length, client.family == 4 ? 32 : 128))
    }

    public func contains(_ client: ClientAddress) -> Bool {
        let client = client.unmapped
        guard client.family == family else { return false }
        let (maskHigh, maskLow) = Self.masks(family: family, length: length)
        return client.high & maskHigh == high && client.low & maskLow == low
    }

    /// One 64-bit hash of the network, for fixed-size tables.
    var hashKey: UInt64 {
        var hash = (high ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ low ^ UInt64(family) << 8 ^ UInt64(length)) &* 0x94D0_49BB_1331_11EB
        return hash ^ hash >> 31
    }

    public var description: String {
        let address = ClientAddress(family: family, high: high, low: low).ipAddress
        return "\(address)/\(length)"
    }

    private static func masks(family: UInt8, length: Int) -> (UInt64, UInt64) {
        func mask(_ count: Int) -> UInt64 { count <= 0 ? 0 : count >= 64 ? ~0 : ~0 << UInt64(64 - count) }
        if family == 4 { return (mask(length), 0) }
        return (mask(length), mask(length - 64))
    }
}

extension ClientAddress {
    /// An IPv4 client seen through a dual-stack socket (`::ffff:192.0.2.1`) as the IPv4 client it
    /// is, so IPv4 rules match it.
    var unmapped: ClientAddress {
        guard family == 6, high == 0, low >> 32 == 0xFFFF else { return self }
        return ClientAddress(family: 4, high: (low & 0xFFFF_FFFF) << 32, low: 0)
    }
}
