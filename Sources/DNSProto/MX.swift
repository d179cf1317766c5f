/// MX RDATA (RFC 1035 §3.3.9): a mail exchanger and its preference (lower is preferred).
public struct MX: RDataPayload {
    /// Lower values are tried first.
    public var preference: UInt16
    /// The host that accepts mail for the owner name.
    public var exchange: DNSName

    /// An MX record's fields.
    public init(preference: UInt16, exchange: DNSName) {
        self.preference = preference
        self.exchange = exchange
    }

    /// Reads the preference and a possibly compressed exchange name.
    public static func read(from reader: inout WireReader) throws -> MX {
        try reader.readRDataFields(of: .mx) { reader in
            MX(preference: try reader.readU16(), exchange: try reader.readName())
        }
    }

    /// The exchange may be compressed: MX is one of the RFC 1035 types (RFC 3597 §4).
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(preference)
        writer.writeName(exchange, compress: compress)
    }

    /// `PREFERENCE EXCHANGE`.
    public init(text: inout RDataTextReader) throws {
        preference = try text.integer("MX preference")
        exchange = try text.name("mail exchanger name")
    }

    /// `10 mail.example.com.`
    public var presentation: String { "\(preference) \(exchange)" }
}
