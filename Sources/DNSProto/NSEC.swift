/// NSEC RDATA (RFC 4034 §4): the next owner name in canonical order and the types present
/// at this one, proving that nothing lies between them.
public struct NSEC: RDataPayload {
    /// The next owner name in the zone's canonical order (the apex for the last NSEC).
    /// Never compressed (RFC 4034 §4.1.1).
    public var nextDomainName: DNSName
    /// The types present at the NSEC's owner name.
    public var types: TypeBitmap

    /// An NSEC record's fields.
    public init(nextDomainName: DNSName, types: TypeBitmap) {
        self.nextDomainName = nextDomainName
        self.types = types
    }

    /// Reads the next name (decompressing leniently) and the type bitmap up to the end of the RDATA.
    public static func read(from reader: inout WireReader) throws -> NSEC {
        try reader.readRDataFields(of: .nsec) { reader in
            let next = try reader.readName()
            return NSEC(nextDomainName: next, types: try TypeBitmap.read(from: &reader, in: .nsec))
        }
    }

    /// The next name is written uncompressed (RFC 4034 §4.1.1), whatever `compress` says.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeName(nextDomainName, compress: false)
        types.write(to: &writer)
    }

    /// `NEXTNAME TYPE...`
    public init(text: inout RDataTextReader) throws {
        nextDomainName = try text.name("next domain name")
        types = try TypeBitmap(text: &text)
    }

    /// `host.example.com. A MX RRSIG NSEC`
    public var presentation: String {
        types.isEmpty ? nextDomainName.description : "\(nextDomainName) \(types.presentation)"
    }
}
