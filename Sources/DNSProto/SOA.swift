/// SOA RDATA (RFC 1035 §3.3.13): the zone's primary server, contact and timers.
public struct SOA: RDataPayload {
    /// The primary name server (MNAME).
    public var mname: DNSName
    /// The contact mailbox as a name (RNAME): `hostmaster.example.com.`
    public var rname: DNSName
    /// Zone version, compared with serial arithmetic (RFC 1982).
    public var serial: UInt32
    /// Seconds between secondary refresh checks.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds after which a secondary stops answering without a refresh.
    public var expire: UInt32
    /// Negative-caching TTL (RFC 2308 §4).
    public var minimum: UInt32

    /// An SOA record's fields.
    public init(mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }

    /// Reads two possibly compressed names and five 32-bit fields.
    public static func read(from reader: inout WireReader) throws -> SOA {
        try reader.readRDataFields(of: .soa) { reader in
            SOA(mname: try reader.readName(), rname: try reader.readName(), serial: try reader.readU32(),
                refresh: try reader.readU32(), retry: try reader.readU32(), expire: try reader.readU32(),
                minimum: try reader.readU32())
        }
    }

    /// Both names may be compressed: SOA is one of the RFC 1035 types (RFC 3597 §4).
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeName(mname, compress: compress)
        writer.writeName(rname, compress: compress)
        writer.writeU32(serial)
        writer.writeU32(refresh)
        writer.writeU32(retry)
        writer.writeU32(expire)
        writer.writeU32(minimum)
    }

    /// `MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM`; the timers also take TTL units (`1h`).
    public init(text: inout RDataTextReader) throws {
        mname = try text.name("primary name server (MNAME)")
        rname = try text.name("contact mailbox (RNAME)")
        serial = try text.integer("serial")
        refresh = try Self.timer(&text, "refresh")
        retry = try Self.timer(&text, "retry")
        expire = try Self.timer(&text, "expire")
        minimum = try Self.timer(&text, "minimum")
    }

    /// A timer field. Plain numbers take the whole 32-bit range, because the wire allows it and
    /// our own output must read back; unit forms go through the TTL parser.
    private static func timer(_ text: inout RDataTextReader, _ expected: String) throws -> UInt32 {
        if let token = text.peek(), !token.quoted, let plain = UInt32(token.text) {
            _ = try text.next(expected)
            return plain
        }
        return try text.duration(expected)
    }

    /// `ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300`
    public var presentation: String {
        "\(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
    }
}
