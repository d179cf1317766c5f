/// Builds a DNS message in wire form, compressing names where the RFCs allow it.
///
/// Compression (RFC 1035 §4.1.4) is used for owner names and for names inside the RDATA of
/// the RFC 1035 types only (RFC 3597 §4); callers choose with `compress:`.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Where each name suffix written so far starts (only below 0x4000, where a pointer
    /// reaches), oldest first. Matched against the bytes themselves: a message holds a few dozen
    /// names at most, so a scan costs less than hashing a copied array per suffix did.
    private var suffixStarts: [UInt16] = []

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        suffixStarts.reserveCapacity(16)
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
        suffixStarts.removeAll { Int($0) >= count }
    }

    /// Writes a name; with `compress`, reuses an earlier suffix through a pointer.
    /// Every suffix written here becomes a pointer target for later names either way.
    public mutating func writeName(_ name: DNSName, compress: Bool = true) {
        let wire = name.wire
        var start = 0
        while wire[start] != 0 {
            if compress, let offset = writtenSuffix(equalTo: wire, from: start) {
                writeU16(0xC000 | offset)
                return
            }
            if bytes.count < 0x4000 { suffixStarts.append(UInt16(bytes.count)) }
            let length = Int(wire[start])
            bytes.append(contentsOf: wire[start...(start + length)])
            start += length + 1
        }
        bytes.append(0)
    }

    /// The latest suffix written that equals `wire[start...]` ignoring ASCII case.
    private func writtenSuffix(equalTo wire: [UInt8], from start: Int) -> UInt16? {
        for candidate in suffixStarts.reversed() where spells(wire, from: start, at: Int(candidate)) {
            return candidate
        }
        return nil
    }

    /// Whether the name in `bytes` at `offset` (following pointers) is `wire[start...]`. A
    /// name still being written has no end yet and so matches nothing.
    private func spells(_ wire: [UInt8], from start: Int, at offset: Int) -> Bool {
        var position = start, at = offset
        while at < bytes.count {
            var length = Int(bytes[at])
            if length & 0xC0 == 0xC0 {
                guard at + 1 < bytes.count else { return false }
                let target = (length & 0x3F) << 8 | Int(bytes[at + 1])
                // Only backward pointers are ever written; anything else is not a name of ours.
                guard target < at else { return false }
                at = target
                continue
            }
            guard length == Int(wire[position]) else { return false }
            if length == 0 { return true }
            guard at + length < bytes.count else { return false }
            while length > 0 {
                guard DNSName.lower(bytes[at + length]) == DNSName.lower(wire[position + length]) else { return false }
                length -= 1
            }
            let step = Int(wire[position]) + 1
            position += step
            at += step
        }
        return false
    }
}
