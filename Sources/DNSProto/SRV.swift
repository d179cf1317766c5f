/// SRV RDATA (RFC 2782): where a service runs, with priority and weight for choosing.
public struct SRV: RDataPayload {
    /// Lower values are tried first.
    public var priority: UInt16
    /// Relative share among targets of equal priority.
    public var weight: UInt16
    /// The service's port on the target.
    public var port: UInt16
    /// The host providing the service; `.` means the service is not offered here.
    public var target: DNSName

    /// An SRV record's fields.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }

    /// Reads three 16-bit fields and the target. RFC 2782 forbids compressing the target, but
    /// RFC 3597 §4 asks receivers to accept it anyway, and `readName` does.
    public static func read(from reader: inout WireReader) throws -> SRV {
        try reader.readRDataFields(of: .srv) { reader in
            SRV(priority: try reader.readU16(), weight: try reader.readU16(), port: try reader.readU16(),
                target: try reader.readName())
        }
    }

    /// The target is never compressed (RFC 2782; RFC 3597 §4).
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(priority)
        writer.writeU16(weight)
        writer.writeU16(port)
        writer.writeName(target, compress: false)
    }

    /// `PRIORITY WEIGHT PORT TARGET`.
    public init(text: inout RDataTextReader) throws {
        priority = try text.integer("SRV priority")
        weight = try text.integer("SRV weight")
        port = try text.integer("SRV port")
        target = try text.name("SRV target name")
    }

    /// `10 5 5060 sip.example.com.`
    public var presentation: String { "\(priority) \(weight) \(port) \(target)" }
}
