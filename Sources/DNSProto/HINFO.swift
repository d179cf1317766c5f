/// HINFO RDATA (RFC 1035 §3.3.2): CPU and operating system as two character-strings.
///
/// RFC 8482 answers ANY queries with a synthesized HINFO, so this type matters beyond old zones.
public struct HINFO: RDataPayload {
    /// The CPU type, at most 255 octets.
    public let cpu: [UInt8]
    /// The operating system, at most 255 octets.
    public let os: [UInt8]

    /// Throws when either string is over 255 octets.
    public init(cpu: [UInt8], os: [UInt8]) throws {
        guard cpu.count <= 255, os.count <= 255 else {
            throw DNSWireError.unencodable("HINFO character-string longer than 255 octets")
        }
        self.cpu = cpu
        self.os = os
    }

    /// Convenience for text values (UTF-8), e.g. `HINFO("RFC8482", "")`.
    public init(cpu: String, os: String) throws {
        try self.init(cpu: Array(cpu.utf8), os: Array(os.utf8))
    }

    private init(validatedCPU cpu: [UInt8], os: [UInt8]) {
        self.cpu = cpu
        self.os = os
    }

    /// Reads exactly two character-strings.
    public static func read(from reader: inout WireReader) throws -> HINFO {
        try reader.readRDataFields(of: .hinfo) { reader in
            HINFO(validatedCPU: try reader.readCharacterString(), os: try reader.readCharacterString())
        }
    }

    /// Writes both strings; HINFO holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        try writer.writeCharacterString(cpu)
        try writer.writeCharacterString(os)
    }

    /// `CPU OS`, each quoted or bare.
    public init(text: inout RDataTextReader) throws {
        self.init(validatedCPU: try text.characterString("HINFO CPU"), os: try text.characterString("HINFO OS"))
    }

    /// `"CPU" "OS"`
    public var presentation: String {
        PresentationEscapes.quotedCharacterString(cpu) + " " + PresentationEscapes.quotedCharacterString(os)
    }
}
