/// NSEC3 RDATA (RFC 5155 §3): like NSEC, but between hashed owner names, so a zone cannot
/// be listed by walking it.
public struct NSEC3: RDataPayload {
    /// Hash algorithm: 1 is SHA-1, the only one defined (RFC 5155 §11).
    public var hashAlgorithm: UInt8
    /// Bit 0x01 is Opt-Out (RFC 5155 §3.1.2.1); the others are zero today.
    public var flags: UInt8
    /// Extra hash iterations; RFC 9276 §3.1 asks for 0.
    public var iterations: UInt16
    /// Salt appended before hashing, 0-255 octets (`-` in text when empty).
    public var salt: [UInt8]
    /// The next hashed owner name in hash order, as raw hash octets (1-255).
    public var nextHashedOwner: [UInt8]
    /// The types present at the original owner name.
    public var types: TypeBitmap

    /// Opt-Out flag (RFC 5155 §3.1.2.1): unsigned delegations may lie in this span.
    public var isOptOut: Bool { flags & 0x01 != 0 }

    /// An NSEC3 record's fields.
    public init(hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8], nextHashedOwner: [UInt8], types: TypeBitmap) {
        self.hashAlgorithm = hashAlgorithm
        self.flags = flags
        self.iterations = iterations
        self.salt = salt
        self.nextHashedOwner = nextHashedOwner
        self.types = types
    }

    /// Reads the fixed fields, the length-prefixed salt and hash, and the type bitmap up to the
    /// end of the RDATA. A zero-length hash has no presentation form and is refused.
    public static func read(from reader: inout WireReader) throws -> NSEC3 {
        try reader.readRDataFields(of: .nsec3) { reader in
            let hashAlgorithm = try reader.readU8()
            let flags = try reader.readU8()
            let iterations = try reader.readU16()
            let salt = try reader.readCharacterString()
            let next = try reader.readCharacterString()
            guard !next.isEmpty else {
                throw DNSWireError.badRData(type: RecordType.nsec3.rawValue, reason: "NSEC3 next hashed owner is empty")
            }
            return NSEC3(hashAlgorithm: hashAlgorithm, flags: flags, iterations: iterations, salt: salt,
                         nextHashedOwner: next, types: try TypeBitmap.read(from: &reader, in: .nsec3))
        }
    }

    /// Salt and hash each take a length octet, so neither may exceed 255 octets.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        guard salt.count <= 255 else { throw DNSWireError.unencodable("NSEC3 salt longer than 255 octets") }
        guard (1...255).contains(nextHashedOwner.count) else {
            throw DNSWireError.unencodable("NSEC3 next hashed owner must be 1-255 octets, not \(nextHashedOwner.count)")
        }
        writer.writeU8(hashAlgorithm)
        writer.writeU8(flags)
        writer.writeU16(iterations)
        try writer.writeCharacterString(salt)
        try writer.writeCharacterString(nextHashedOwner)
        types.write(to: &writer)
    }

    /// `ALG FLAGS ITERATIONS SALT NEXTHASH TYPE...`: salt in hex or `-`, hash in base32hex
    /// (RFC 5155 §3.3).
    public init(text: inout RDataTextReader) throws {
        hashAlgorithm = try text.integer("NSEC3 hash algorithm")
        flags = try text.integer("NSEC3 flags")
        iterations = try text.integer("NSEC3 iterations")
        salt = try Self.salt(&text)
        let hashToken = try text.next("next hashed owner name")
        guard !hashToken.quoted, let next = Base32HexEncoding.decode(hashToken.text), (1...255).contains(next.count) else {
            throw text.error("expected the next hashed owner name in base32hex, found '\(hashToken.text)'", at: hashToken)
        }
        nextHashedOwner = next
        types = try TypeBitmap(text: &text)
    }

    /// The salt field shared with NSEC3PARAM: `-` for none, else hex of at most 255 octets.
    static func salt(_ text: inout RDataTextReader) throws -> [UInt8] {
        let token = try text.next("NSEC3 salt")
        if token.text == "-" && !token.quoted { return [] }
        guard !token.quoted, !token.text.isEmpty, let salt = HexEncoding.decode(token.text), salt.count <= 255 else {
            throw text.error("expected the NSEC3 salt in hexadecimal (at most 255 octets) or '-', found '\(token.text)'", at: token)
        }
        return salt
    }

    /// `1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG`
    public var presentation: String {
        let saltText = salt.isEmpty ? "-" : HexEncoding.encode(salt)
        let head = "\(hashAlgorithm) \(flags) \(iterations) \(saltText) \(Base32HexEncoding.encode(nextHashedOwner))"
        return types.isEmpty ? head : head + " " + types.presentation
    }
}
