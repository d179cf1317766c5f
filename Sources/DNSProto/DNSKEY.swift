/// DNSKEY RDATA (RFC 4034 §2): a zone's public key.
public struct DNSKEY: RDataPayload {
    /// Bit 7 (0x0100) is the Zone Key flag, bit 15 (0x0001) Secure Entry Point (a KSK),
    /// bit 8 (0x0080) Revoked (RFC 5011).
    public var flags: UInt16
    /// Always 3 for DNSSEC (RFC 4034 §2.1.2); other values are kept but such keys are not
    /// used for validation.
    public var `protocol`: UInt8
    /// DNSSEC algorithm number (IANA "DNS Security Algorithm Numbers").
    public var algorithm: UInt8
    /// The public key in the algorithm's format; never empty.
    public var publicKey: [UInt8]

    /// A DNSKEY record's fields.
    public init(flags: UInt16, protocol: UInt8 = 3, algorithm: UInt8, publicKey: [UInt8]) {
        self.flags = flags
        self.protocol = `protocol`
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    /// Zone Key flag (RFC 4034 §2.1.1): only keys with it set may sign zone data.
    public var isZoneKey: Bool { flags & 0x0100 != 0 }
    /// Secure Entry Point flag (RFC 4034 §2.1.1), set on key-signing keys by convention.
    public var isSecureEntryPoint: Bool { flags & 0x0001 != 0 }
    /// REVOKE flag (RFC 5011 §3).
    public var isRevoked: Bool { flags & 0x0080 != 0 }

    /// The key tag that DS and RRSIG records use to point at this key (RFC 4034 Appendix B):
    /// a ones'-complement-style sum over the RDATA, except for algorithm 1 (RSA/MD5), whose tag
    /// is the 16 bits above the last octet of the modulus (Appendix B.1).
    public var keyTag: UInt16 {
        if algorithm == 1 {
            guard publicKey.count >= 3 else { return 0 }
            return UInt16(publicKey[publicKey.count - 3]) << 8 | UInt16(publicKey[publicKey.count - 2])
        }
        var writer = WireWriter(capacity: 4 + publicKey.count)
        try? write(to: &writer, compress: false)
        var sum: UInt32 = 0
        for (index, byte) in writer.bytes.enumerated() {
            // Wrapping: the wire limits a key to 65535 octets, but a key built in memory may not be.
            sum &+= index & 1 == 0 ? UInt32(byte) << 8 : UInt32(byte)
        }
        sum &+= sum >> 16 & 0xFFFF
        return UInt16(truncatingIfNeeded: sum)
    }

    /// Reads the fixed fields and the key up to the end of the RDATA. An empty key is refused:
    /// it has no presentation form (even CDNSKEY "delete" carries one octet, RFC 8078 §4).
    public static func read(from reader: inout WireReader) throws -> DNSKEY {
        try reader.readRDataFields(of: .dnskey) { reader in
            let flags = try reader.readU16()
            let proto = try reader.readU8()
            let algorithm = try reader.readU8()
            guard !reader.isAtEnd else {
                throw DNSWireError.badRData(type: RecordType.dnskey.rawValue, reason: "DNSKEY public key is empty")
            }
            return DNSKEY(flags: flags, protocol: proto, algorithm: algorithm, publicKey: reader.readRest())
        }
    }

    /// DNSKEY holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(flags)
        writer.writeU8(`protocol`)
        writer.writeU8(algorithm)
        writer.writeBytes(publicKey)
    }

    /// `FLAGS PROTOCOL ALGORITHM BASE64...`; the base64 may be split over several fields.
    public init(text: inout RDataTextReader) throws {
        flags = try text.integer("DNSKEY flags")
        `protocol` = try text.integer("DNSKEY protocol")
        algorithm = try text.integer("DNSKEY algorithm")
        publicKey = try text.base64Rest("DNSKEY public key")
    }

    /// `257 3 8 AwEAAa...`, the key as one base64 field.
    public var presentation: String {
        "\(flags) \(`protocol`) \(algorithm) \(Base64Encoding.encode(publicKey))"
    }
}
