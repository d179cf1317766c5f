/// SSHFP RDATA (RFC 4255 §3.1): a fingerprint of an SSH host key.
public struct SSHFP: RDataPayload {
    /// Key algorithm: 1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519 (IANA registry).
    public let algorithm: UInt8
    /// Fingerprint hash: 1 SHA-1, 2 SHA-256 (RFC 6594).
    public let fingerprintType: UInt8
    /// The hash of the host key; never empty.
    public let fingerprint: [UInt8]

    /// Throws when the fingerprint is empty (it would have no presentation form) or too long.
    public init(algorithm: UInt8, fingerprintType: UInt8, fingerprint: [UInt8]) throws {
        guard !fingerprint.isEmpty, fingerprint.count <= 65533 else {
            throw DNSWireError.unencodable("SSHFP fingerprint must be 1-65533 octets")
        }
        self.init(validatedAlgorithm: algorithm, fingerprintType: fingerprintType, fingerprint: fingerprint)
    }

    private init(validatedAlgorithm algorithm: UInt8, fingerprintType: UInt8, fingerprint: [UInt8]) {
        self.algorithm = algorithm
        self.fingerprintType = fingerprintType
        self.fingerprint = fingerprint
    }

    /// Reads two octets and the fingerprint (the rest of the RDATA, at least one octet).
    public static func read(from reader: inout WireReader) throws -> SSHFP {
        try reader.readRDataFields(of: .sshfp) { reader in
            let algorithm = try reader.readU8()
            let type = try reader.readU8()
            guard !reader.isAtEnd else {
                throw DNSWireError.badRData(type: RecordType.sshfp.rawValue, reason: "empty fingerprint")
            }
            return SSHFP(validatedAlgorithm: algorithm, fingerprintType: type, fingerprint: reader.readRest())
        }
    }

    /// Writes the fields; SSHFP holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU8(algorithm)
        writer.writeU8(fingerprintType)
        writer.writeBytes(fingerprint)
    }

    /// `ALGORITHM TYPE HEX...` (the hex may be split by spaces).
    public init(text: inout RDataTextReader) throws {
        let algorithm: UInt8 = try text.integer("SSHFP algorithm")
        let type: UInt8 = try text.integer("SSHFP fingerprint type")
        let first = text.peek()
        let fingerprint = try text.hexRest("SSHFP fingerprint")
        guard fingerprint.count <= 65533 else { throw text.error("SSHFP fingerprint is too long for RDATA", at: first) }
        self.init(validatedAlgorithm: algorithm, fingerprintType: type, fingerprint: fingerprint)
    }

    /// `4 2 HEX` with upper-case hex.
    public var presentation: String { "\(algorithm) \(fingerprintType) \(HexEncoding.encode(fingerprint))" }
}
