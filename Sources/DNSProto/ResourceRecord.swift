/// One resource record: owner, type, class, TTL and typed RDATA.
///
/// The type lives in `rdata` for the typed cases; `type` is stored anyway so opaque RFC 3597
/// data keeps its type number.
public struct ResourceRecord: Sendable, Hashable, CustomStringConvertible {
    public var name: DNSName
    public var type: RecordType
    public var recordClass: RecordClass
    public var ttl: UInt32
    public var rdata: RData

    public init(name: DNSName, type: RecordType, recordClass: RecordClass = .in, ttl: UInt32, rdata: RData) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.rdata = rdata
    }

    /// Builds a record whose type follows from typed RDATA.
    public init(name: DNSName, ttl: UInt32, rdata: RData, recordClass: RecordClass = .in) {
        self.init(name: name, type: rdata.type ?? RecordType(rawValue: 0), recordClass: recordClass, ttl: ttl, rdata: rdata)
    }

    /// One zone-file line: owner TTL class type rdata.
    public var description: String { "\(name)\t\(ttl)\t\(recordClass)\t\(type)\t\(rdata.presentation(type: type))" }

    /// Reads one record (not OPT handling; the message reader does that).
    public static func read(from reader: inout WireReader) throws -> ResourceRecord {
        let name = try reader.readName()
        let type = RecordType(rawValue: try reader.readU16())
        let recordClass = RecordClass(rawValue: try reader.readU16())
        let ttl = try reader.readU32()
        let length = Int(try reader.readU16())
        guard length <= reader.remaining else { throw DNSWireError.truncated(offset: reader.position, needed: length) }
        let savedLimit = reader.limit
        reader.limit = reader.position + length
        defer { reader.limit = savedLimit }
        let rdata = try RData.read(type: type, recordClass: recordClass, from: &reader)
        guard reader.isAtEnd else {
            throw DNSWireError.badRData(type: type.rawValue, reason: "\(reader.remaining) bytes left over")
        }
        return ResourceRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, rdata: rdata)
    }

    /// Writes the record; RDLENGTH is patched in after the RDATA.
    public func write(to writer: inout WireWriter, compress: Bool = true) throws {
        writer.writeName(name, compress: compress)
        writer.writeU16(type.rawValue)
        writer.writeU16(recordClass.rawValue)
        writer.writeU32(ttl)
        let lengthOffset = writer.count
        writer.writeU16(0)
        try rdata.write(to: &writer, compress: compress)
        let length = writer.count - lengthOffset - 2
        guard length <= 0xFFFF else { throw DNSWireError.unencodable("RDATA longer than 65535 octets") }
        writer.patchU16(UInt16(length), at: lengthOffset)
    }
}
