/// CAA RDATA (RFC 8659 §4.1): which certification authorities may issue for the owner name.
public struct CAA: RDataPayload {
    /// Bit 0x80 is Issuer Critical; the other bits are reserved.
    public let flags: UInt8
    /// The property, e.g. `issue`, `issuewild`, `iodef`: 1-15 ASCII letters and digits.
    public let tag: String
    /// The property value: on the wire, the raw rest of the RDATA with no length octet,
    /// so it may be longer than a character-string.
    public let value: [UInt8]

    /// Whether the Issuer Critical flag is set.
    public var isCritical: Bool { flags & 0x80 != 0 }

    /// Throws when the tag is not 1-15 ASCII letters and digits (RFC 8659 §4.1), or the value
    /// cannot fit in RDATA.
    public init(flags: UInt8, tag: String, value: [UInt8]) throws {
        guard Self.isValidTag(Array(tag.utf8)) else {
            throw DNSWireError.unencodable("CAA tag '\(tag)' is not 1-15 ASCII letters and digits")
        }
        guard value.count <= 65535 - 2 - tag.utf8.count else { throw DNSWireError.unencodable("CAA value too long") }
        self.flags = flags
        self.tag = tag
        self.value = value
    }

    private init(validatedFlags flags: UInt8, tag: String, value: [UInt8]) {
        self.flags = flags
        self.tag = tag
        self.value = value
    }

    static func isValidTag(_ tag: [UInt8]) -> Bool {
        (1...15).contains(tag.count) && tag.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }

    /// Reads the flags, the length-prefixed tag and the value (everything up to the limit).
    public static func read(from reader: inout WireReader) throws -> CAA {
        try reader.readRDataFields(of: .caa) { reader in
            let flags = try reader.readU8()
            let tag = try reader.readCharacterString()
            guard isValidTag(tag) else {
                throw DNSWireError.badRData(type: RecordType.caa.rawValue, reason: "tag is not 1-15 ASCII letters and digits")
            }
            return CAA(validatedFlags: flags, tag: String(decoding: tag, as: UTF8.self), value: reader.readRest())
        }
    }

    /// Writes flags, tag length, tag, value; CAA holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU8(flags)
        try writer.writeCharacterString(Array(tag.utf8))
        writer.writeBytes(value)
    }

    /// `FLAGS TAG VALUE`; the value is one field, quoted or bare, and may exceed 255 octets.
    public init(text: inout RDataTextReader) throws {
        let flags: UInt8 = try text.integer("CAA flags")
        let tagToken = try text.next("CAA tag")
        guard !tagToken.quoted, Self.isValidTag(Array(tagToken.text.utf8)) else {
            throw text.error("CAA tag must be 1-15 ASCII letters and digits, found '\(tagToken.text)'", at: tagToken)
        }
        let valueToken = try text.next("CAA value")
        let value: [UInt8]
        do { value = try PresentationEscapes.decode(valueToken.text) } catch {
            throw text.error("\(error) in CAA value", at: valueToken)
        }
        guard value.count <= 65535 - 2 - tagToken.text.utf8.count else {
            throw text.error("CAA value is too long for RDATA", at: valueToken)
        }
        self.init(validatedFlags: flags, tag: tagToken.text, value: value)
    }

    /// `0 issue "ca.example.net"`: the value is always quoted (RFC 8659 §4.1.1).
    public var presentation: String { "\(flags) \(tag) \(PresentationEscapes.quotedCharacterString(value))" }
}
