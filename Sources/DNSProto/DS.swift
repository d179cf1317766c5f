/// DS RDATA (RFC 4034 §5): a digest of a child zone's DNSKEY, held in the parent zone to
/// link the chain of trust.
public struct DS: RDataPayload {
    /// Key tag of the DNSKEY the digest covers (RFC 4034 Appendix B).
    public var keyTag: UInt16
    /// DNSSEC algorithm number of that DNSKEY (IANA "DNS Security Algorithm Numbers").
    public var algorithm: UInt8
    /// Digest algorithm: 1 SHA-1, 2 SHA-256 (RFC 4509), 4 SHA-384 (RFC 6605).
    public var digestType: UInt8
    /// The digest of owner name + DNSKEY RDATA (RFC 4034 §5.1.4); never empty.
    public var digest: [UInt8]

    /// A DS record's fields.
    public init(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8]) {
        self.keyTag = keyTag
        self.algorithm = algorithm
        self.digestType = digestType
        self.digest = digest
    }

    /// Reads the fixed fields and the digest up to the end of the RDATA. An empty digest is
    /// refused: it has no presentation form (even CDS "delete" carries one octet, RFC 8078 §4).
    public static func read(from reader: inout WireReader) throws -> DS {
        try reader.readRDataFields(of: .ds) { reader in
            let keyTag = try reader.readU16()
            let algorithm = try reader.readU8()
            let digestType = try reader.readU8()
            guard !reader.isAtEnd else { throw DNSWireError.badRData(type: RecordType.ds.rawValue, reason: "DS digest is empty") }
            return DS(keyTag: keyTag, algorithm: algorithm, digestType: digestType, digest: reader.readRest())
        }
    }

    /// DS holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(keyTag)
        writer.writeU8(algorithm)
        writer.writeU8(digestType)
        writer.writeBytes(digest)
    }

    /// `KEYTAG ALGORITHM DIGESTTYPE HEX...`; the hex may be split over several fields.
    public init(text: inout RDataTextReader) throws {
        keyTag = try text.integer("DS key tag")
        algorithm = try text.integer("DS algorithm")
        digestType = try text.integer("DS digest type")
        digest = try text.hexRest("DS digest")
    }

    /// `60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118`
    public var presentation: String {
        "\(keyTag) \(algorithm) \(digestType) \(HexEncoding.encode(digest))"
    }
}
