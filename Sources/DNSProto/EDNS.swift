/// The EDNS0 pseudo-record (RFC 6891): the OPT record lifted out of the additional section.
public struct EDNS: Sendable, Hashable {
    /// Requestor's or responder's UDP payload size; values below 512 are treated as 512.
    public var udpPayloadSize: UInt16
    /// Upper 8 bits of the 12-bit response code.
    public var extendedRcode: UInt8
    public var version: UInt8
    /// The DO bit (RFC 3225).
    public var dnssecOK: Bool
    /// The other 15 flag bits, kept as received (must be zero when sent).
    public var otherFlags: UInt16
    public var options: [EDNSOption]

    public init(udpPayloadSize: UInt16 = 1232, dnssecOK: Bool = false, options: [EDNSOption] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRcode = 0
        self.version = 0
        self.dnssecOK = dnssecOK
        self.otherFlags = 0
        self.options = options
    }

    /// The first option of a given code.
    public func option(code: UInt16) -> EDNSOption? { options.first { $0.code == code } }

    public var clientSubnet: ClientSubnet? {
        if case .clientSubnet(let subnet)? = option(code: EDNSOption.clientSubnetCode) { return subnet }
        return nil
    }

    /// Reads an OPT record whose owner, type and class were already read by the caller.
    static func read(recordClass: UInt16, ttl: UInt32, rdata: inout WireReader) throws -> EDNS {
        var edns = EDNS(udpPayloadSize: recordClass)
        edns.extendedRcode = UInt8(ttl >> 24)
        edns.version = UInt8(truncatingIfNeeded: ttl >> 16)
        edns.dnssecOK = ttl & 0x8000 != 0
        edns.otherFlags = UInt16(truncatingIfNeeded: ttl) & 0x7FFF
        while !rdata.isAtEnd {
            let code = try rdata.readU16()
            let length = Int(try rdata.readU16())
            let data = try rdata.readBytes(length)
            edns.options.append(try EDNSOption.decode(code: code, data: data))
        }
        return edns
    }

    /// Writes the complete OPT record.
    func write(to writer: inout WireWriter) throws {
        writer.writeU8(0)  // root owner
        writer.writeU16(RecordType.opt.rawValue)
        writer.writeU16(udpPayloadSize)
        var ttl = UInt32(extendedRcode) << 24 | UInt32(version) << 16 | UInt32(otherFlags & 0x7FFF)
        if dnssecOK { ttl |= 0x8000 }
        writer.writeU32(ttl)
        let lengthOffset = writer.count
        writer.writeU16(0)
        for option in options {
            let data = option.data
            guard data.count <= 0xFFFF else { throw DNSWireError.unencodable("EDNS option longer than 65535 octets") }
            writer.writeU16(option.code)
            writer.writeU16(UInt16(data.count))
            writer.writeBytes(data)
        }
        let length = writer.count - lengthOffset - 2
        guard length <= 0xFFFF else { throw DNSWireError.unencodable("OPT RDATA longer than 65535 octets") }
        writer.patchU16(UInt16(length), at: lengthOffset)
    }

    /// Size of the OPT record on the wire.
    public var wireSize: Int { 11 + options.reduce(0) { $0 + 4 + $1.data.count } }
}
