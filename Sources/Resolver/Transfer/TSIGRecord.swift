import DNSProto

/// The TSIG pseudo-record (RFC 8945 §4.2) and where it sits in a message's wire form: always
/// the last record of the additional section, so a message is signed or checked as bytes, with
/// the record cut off, without re-encoding anything.
public struct TSIGRecord: Sendable, Hashable {
    public static let recordType = RecordType(rawValue: 250)
    /// RFC 8945 §5.3: the error codes carried in the record (the header says NOTAUTH).
    public static let badSig: UInt16 = 16
    public static let badKey: UInt16 = 17
    public static let badTime: UInt16 = 18

    public var keyName: DNSName
    public var algorithm: DNSName
    /// Seconds since the epoch, 48 bits on the wire.
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    public var error: UInt16
    public var otherData: [UInt8]

    public init(keyName: DNSName, algorithm: DNSName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8] = [],
                originalID: UInt16, error: UInt16 = 0, otherData: [UInt8] = []) {
        self.keyName = keyName
        self.algorithm = algorithm
        self.timeSigned = timeSigned
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.otherData = otherData
    }

    /// A message split at its TSIG record: the bytes before it, with ARCOUNT already lowered
    /// by one and the original ID put back (what the MAC covers, RFC 8945 §4.3.1).
    public struct Located: Sendable {
        public var record: TSIGRecord
        public var unsigned: [UInt8]
    }

    /// Finds the TSIG record at the end of `bytes`; nil when the last additional record is not
    /// TSIG (an unsigned message). Throws on a message too broken to walk.
    public static func locate(in bytes: [UInt8]) throws -> Located? {
        var reader = WireReader(bytes)
        reader.position = 4
        let counts = try (0..<4).map { _ in Int(try reader.readU16()) }
        guard counts[3] > 0 else { return nil }
        for _ in 0..<counts[0] {
            _ = try reader.readName()
            reader.position += 4
        }
        let records = counts[1] + counts[2] + counts[3]
        var start = reader.position
        for _ in 0..<records {
            start = reader.position
            _ = try reader.readName()
            _ = try reader.readBytes(8)
            let length = Int(try reader.readU16())
            _ = try reader.readBytes(length)
        }
        var tsig = WireReader(bytes, position: start)
        let owner = try tsig.readName()
        guard try tsig.readU16() == recordType.rawValue else { return nil }
        tsig.position += 6  // class ANY, TTL 0
        let length = Int(try tsig.readU16())
        guard length <= tsig.remaining else { throw DNSWireError.truncated(offset: tsig.position, needed: length) }
        let algorithm = try tsig.readName()
        let time = UInt64(try tsig.readU16()) << 32 | UInt64(try tsig.readU32())
        let fudge = try tsig.readU16()
        let mac = try tsig.readBytes(Int(try tsig.readU16()))
        let originalID = try tsig.readU16()
        let error = try tsig.readU16()
        let other = try tsig.readBytes(Int(try tsig.readU16()))
        var unsigned = Array(bytes[..<start])
        unsigned[0] = UInt8(originalID >> 8)
        unsigned[1] = UInt8(originalID & 0xFF)
        let additional = counts[3] - 1
        unsigned[10] = UInt8(additional >> 8)
        unsigned[11] = UInt8(additional & 0xFF)
        let record = TSIGRecord(keyName: owner, algorithm: algorithm, timeSigned: time, fudge: fudge, mac: mac,
                                originalID: originalID, error: error, otherData: other)
        return Located(record: record, unsigned: unsigned)
    }

    /// The TSIG variables the MAC covers (RFC 8945 §4.3.3), or with `timersOnly` just time and
    /// fudge (the later messages of a stream, §4.3.1).
    func variables(timersOnly: Bool) -> [UInt8] {
        var writer = WireWriter(capacity: 64)
        if !timersOnly {
            writer.writeBytes(keyName.lowercasedWire)
            writer.writeU16(RecordClass.any.rawValue)
            writer.writeU32(0)
            writer.writeBytes(algorithm.lowercasedWire)
        }
        writeTimers(&writer)
        if !timersOnly {
            writer.writeU16(error)
            writer.writeU16(UInt16(otherData.count))
            writer.writeBytes(otherData)
        }
        return writer.bytes
    }

    private func writeTimers(_ writer: inout WireWriter) {
        writer.writeU16(UInt16(truncatingIfNeeded: timeSigned >> 32))
        writer.writeU32(UInt32(truncatingIfNeeded: timeSigned))
        writer.writeU16(fudge)
    }

    /// `message` with this record appended and ARCOUNT raised by one.
    public func append(to message: [UInt8]) -> [UInt8] {
        var rdata = WireWriter(capacity: 128)
        rdata.writeBytes(algorithm.lowercasedWire)
        writeTimers(&rdata)
        rdata.writeU16(UInt16(mac.count))
        rdata.writeBytes(mac)
        rdata.writeU16(originalID)
        rdata.writeU16(error)
        rdata.writeU16(UInt16(otherData.count))
        rdata.writeBytes(otherData)
        var out = message
        out += keyName.lowercasedWire
        out += [UInt8(Self.recordType.rawValue >> 8), UInt8(Self.recordType.rawValue & 0xFF), 0, 255, 0, 0, 0, 0]
        out += [UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)]
        out += rdata.bytes
        let additional = (Int(message[10]) << 8 | Int(message[11])) + 1
        out[10] = UInt8(additional >> 8)
        out[11] = UInt8(additional & 0xFF)
        return out
    }
}
