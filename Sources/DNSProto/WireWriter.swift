/// Builds a DNS message in wire form, compressing names where the RFCs allow it.
///
/// Compression (RFC 1035 §4.1.4) is used for owner names and for names inside the RDATA of
/// the RFC 1035 types only (RFC 3597 §4); callers choose with `compress:`.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Lower-cased name suffix (wire form) -> offset of its first occurrence.
    private var suffixOffsets: [[UInt8]: Int] = [:]

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func writeU8(_ value: UInt8) { bytes.append(value) }

    public mutating func writeU16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func writeU32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// A `<character-string>`: length octet then bytes (at most 255).
    public mutating func writeCharacterString(_ data: [UInt8]) throws {
        guard data.count <= 255 else { throw DNSWireError.unencodable("character-string longer than 255 octets") }
        bytes.append(UInt8(data.count))
        bytes.append(contentsOf: data)
    }

    /// Overwrites a big-endian UInt16 already written (used for RDLENGTH and header counts).
    public mutating func patchU16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Cuts the message back to `count` bytes, forgetting compression targets past it.
    public mutating func truncate(to count: Int) {
        guard count < bytes.count else { return }
        bytes.removeSubrange(count...)
        suffixOffsets = suffixOffsets.filter { $0.value < count }
    }

    /// Writes a name; with `compress`, reuses an earlier suffix through a pointer.
    /// Every suffix written here becomes a pointer target for later names either way.
    public mutating func writeName(_ name: DNSName, compress: Bool = true) {
        let wire = name.wire
        let lower = name.lowercasedWire
        var start = 0
        while wire[start] != 0 {
            let suffix = Array(lower[start...])
            if compress, let offset = suffixOffsets[suffix] {
                writeU16(0xC000 | UInt16(offset))
                return
            }
            if bytes.count < 0x4000 { suffixOffsets[suffix] = bytes.count }
            let length = Int(wire[start])
            bytes.append(contentsOf: wire[start...(start + length)])
            start += length + 1
        }
        bytes.append(0)
    }
}
