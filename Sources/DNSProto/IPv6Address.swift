/// An IPv6 address: AAAA-record RDATA (RFC 3596) and the SVCB `ipv6hint` element.
///
/// Stored as two `UInt64` halves, so it costs no allocation and hashes cheaply.
public struct IPv6Address: RDataPayload, CustomStringConvertible {
    /// The first (most significant) 64 bits.
    private let high: UInt64
    /// The last 64 bits.
    private let low: UInt64

    /// The sixteen octets in network order; nil unless `bytes` holds exactly sixteen.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in bytes[0..<8] { high = high << 8 | UInt64(byte) }
        for byte in bytes[8..<16] { low = low << 8 | UInt64(byte) }
        self.high = high
        self.low = low
    }

    /// Builds the address from its eight 16-bit groups; nil unless there are exactly eight.
    public init?(groups: [UInt16]) {
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        self.high = high
        self.low = low
    }

    /// Parses the RFC 4291 §2.2 text forms: eight groups (`2001:db8:0:0:0:0:0:1`), one `::`
    /// for a run of zero groups (`2001:db8::1`, `::`), and a dotted quad in the last 32 bits
    /// (`::ffff:192.0.2.1`). Zone indices (`%eth0`) and prefixes (`/64`) are not addresses.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        // The longest valid form, eight full groups with an IPv4 tail, is 45 characters.
        guard !utf8.isEmpty, utf8.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var gap: Int? = nil
        var index = 0
        while index + 1 < utf8.count {
            if utf8[index] == colon && utf8[index + 1] == colon { gap = index; break }
            index += 1
        }
        let groups: [UInt16]
        if let gap {
            // Text after the first `::` must not hold another `::` or start with `:`; the group
            // splitter refuses both as empty groups.
            guard let head = Self.parseGroups(utf8[0..<gap], allowIPv4: false),
                  let tail = Self.parseGroups(utf8[(gap + 2)...], allowIPv4: true),
                  head.count + tail.count <= 7
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = Self.parseGroups(utf8[...], allowIPv4: true), all.count == 8 else { return nil }
            groups = all
        }
        self.init(groups: groups)
    }

    /// Colon-separated groups of 1-4 hex digits; the last may be a dotted quad (two groups).
    /// An empty slice is no groups; an empty group anywhere is an error.
    private static func parseGroups(_ text: ArraySlice<UInt8>, allowIPv4: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if allowIPv4, index == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard let v4 = IPv4Address(String(decoding: part, as: UTF8.self)) else { return nil }
                groups.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4.value))
                continue
            }
            // Left-padded to four digits, a group is two octets of ordinary hex.
            guard (1...4).contains(part.count),
                  let octets = HexEncoding.decode(String(repeating: "0", count: 4 - part.count) + String(decoding: part, as: UTF8.self)),
                  octets.count == 2
            else { return nil }
            groups.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
        }
        return groups
    }

    /// The sixteen octets in network order.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        var out: [UInt16] = []
        out.reserveCapacity(8)
        for shift in stride(from: 48, through: 0, by: -16) { out.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { out.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }

    /// Whether this is an IPv4-mapped address (`::ffff:0:0/96`, RFC 4291 §2.5.5.2).
    public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more
    /// zero groups (the first on ties) as `::`, and IPv4-mapped addresses in the mixed
    /// `::ffff:192.0.2.1` form that §5 recommends.
    public var description: String {
        if isIPv4Mapped {
            return "::ffff:" + IPv4Address(value: UInt32(truncatingIfNeeded: low)).description
        }
        let groups = self.groups
        var bestStart = -1, bestLength = 0
        var runStart = -1
        for index in 0...groups.count {
            if index < groups.count && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                let length = index - runStart
                // Strictly longer keeps the first of equal runs (§4.2.3); a lone zero group
                // is never shortened (§4.2.2).
                if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        func hex(_ slice: ArraySlice<UInt16>) -> String {
            slice.map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(groups[...]) }
        return hex(groups[0..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }

    /// Reads exactly sixteen octets: AAAA RDATA of any other length is malformed.
    public static func read(from reader: inout WireReader) throws -> IPv6Address {
        try reader.readRDataFields(of: .aaaa) { reader in
            guard reader.remaining == 16, let address = IPv6Address(bytes: try reader.readBytes(16)) else {
                throw DNSWireError.badRData(type: RecordType.aaaa.rawValue, reason: "an IPv6 address is 16 octets, not \(reader.remaining)")
            }
            return address
        }
    }

    /// Writes the sixteen octets; there is no name to compress.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        for shift in stride(from: 56, through: 0, by: -8) { writer.writeU8(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { writer.writeU8(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
    }

    /// Reads one IPv6 address field.
    public init(text: inout RDataTextReader) throws {
        let token = try text.next("IPv6 address")
        guard let address = IPv6Address(token.text) else {
            throw text.error("expected an IPv6 address, found '\(token.text)'", at: token)
        }
        self = address
    }

    /// RFC 5952 text.
    public var presentation: String { description }
}
