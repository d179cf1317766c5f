/// An IPv4 address: A-record RDATA (RFC 1035 §3.4.1) and the SVCB `ipv4hint` element.
///
/// Stored as one big-endian `UInt32`, so it costs no allocation and hashes cheaply.
public struct IPv4Address: RDataPayload, CustomStringConvertible {
    /// The address in host order: `1.2.3.4` is `0x01020304`.
    public let value: UInt32

    /// Wraps an address given in host order (`0x01020304` is `1.2.3.4`).
    public init(value: UInt32) { self.value = value }

    /// The four octets in network order; nil unless `bytes` holds exactly four.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        value = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    }

    /// Parses a strict dotted quad (`192.0.2.1`). Leading zeros are refused ("01" could mean
    /// octal to `inet_aton`), as are short forms like `10.1` and anything around the address.
    public init?(_ text: String) {
        var octets: [UInt8] = []
        octets.reserveCapacity(4)
        for part in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let octet = Self.parseOctet(part) else { return nil }
            octets.append(octet)
        }
        guard octets.count == 4 else { return nil }
        self.init(bytes: octets)
    }

    /// One decimal octet: 1-3 digits, 0-255, no leading zero.
    static func parseOctet(_ digits: some Collection<UInt8>) -> UInt8? {
        guard (1...3).contains(digits.count) else { return nil }
        if digits.count > 1, digits.first == UInt8(ascii: "0") { return nil }
        var value = 0
        for digit in digits {
            guard PresentationEscapes.isDigit(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }

    /// The four octets in network order.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Dotted-quad form.
    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }

    /// Reads exactly four octets: A RDATA of any other length is malformed.
    public static func read(from reader: inout WireReader) throws -> IPv4Address {
        try reader.readRDataFields(of: .a) { reader in
            guard reader.remaining == 4 else {
                throw DNSWireError.badRData(type: RecordType.a.rawValue, reason: "an IPv4 address is 4 octets, not \(reader.remaining)")
            }
            return IPv4Address(value: try reader.readU32())
        }
    }

    /// Writes the four octets; there is no name to compress.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU32(value)
    }

    /// Reads one dotted-quad field.
    public init(text: inout RDataTextReader) throws {
        let token = try text.next("IPv4 address")
        guard let address = IPv4Address(token.text) else {
            throw text.error("expected an IPv4 address (dotted quad), found '\(token.text)'", at: token)
        }
        self = address
    }

    /// Dotted-quad form.
    public var presentation: String { description }
}
