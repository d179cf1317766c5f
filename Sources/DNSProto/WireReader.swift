/// A bounds-checked cursor over a DNS message in wire form.
///
/// Every read checks the remaining length and throws `DNSWireError` instead of trapping.
/// Names are decompressed with protection against forward pointers and loops: a pointer
/// must point strictly before the label that holds it (RFC 1035 §4.1.4 says "prior occurrence").
public struct WireReader: Sendable {
    /// The whole message; compression pointers are offsets into it.
    public let bytes: [UInt8]
    /// The next byte to read.
    public var position: Int
    /// Reads stop here (end of message, or end of an RDATA field while reading one).
    public var limit: Int

    public init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.limit = bytes.count
    }

    /// Bytes left before `limit`.
    public var remaining: Int { limit - position }
    public var isAtEnd: Bool { position >= limit }

    @inline(__always)
    private func need(_ n: Int) throws {
        if n < 0 || position + n > limit { throw DNSWireError.truncated(offset: position, needed: n) }
    }

    public mutating func readU8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readU16() throws -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    public mutating func readU32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    public mutating func readBytes(_ count: Int) throws -> [UInt8] {
        try need(count)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Reads everything up to `limit`.
    public mutating func readRest() -> [UInt8] {
        let rest = Array(bytes[position..<max(position, limit)])
        position = max(position, limit)
        return rest
    }

    /// One `<character-string>`: a length octet and that many bytes.
    public mutating func readCharacterString() throws -> [UInt8] {
        let length = Int(try readU8())
        return try readBytes(length)
    }

    /// Reads a possibly compressed name. Pointers may leave `limit` (they point into the
    /// whole message) but never forward and never into a loop.
    public mutating func readName() throws -> DNSName {
        var wire: [UInt8] = []
        wire.reserveCapacity(32)
        var cursor = position
        var jumped = false
        // A pointer must go strictly backwards, so the sequence of targets decreases and
        // cannot loop; `lowestTarget` enforces that across hops.
        var lowestTarget = position
        while true {
            guard cursor < bytes.count, jumped || cursor < limit else {
                throw DNSWireError.truncated(offset: cursor, needed: 1)
            }
            let length = bytes[cursor]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    if !jumped { position = cursor + 1 }
                    return DNSName(uncheckedWire: wire)
                }
                let end = cursor + 1 + Int(length)
                guard end <= bytes.count, jumped || end <= limit else {
                    throw DNSWireError.truncated(offset: cursor, needed: Int(length) + 1)
                }
                wire.append(contentsOf: bytes[cursor..<end])
                if wire.count + 1 > DNSName.maxWireLength { throw DNSWireError.nameTooLong }
                cursor = end
            case 0xC0:
                guard cursor + 1 < bytes.count, jumped || cursor + 1 < limit else {
                    throw DNSWireError.truncated(offset: cursor, needed: 2)
                }
                let target = Int(length & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < lowestTarget, target < cursor else { throw DNSWireError.badPointer(offset: cursor) }
                if !jumped { position = cursor + 2; jumped = true }
                lowestTarget = target
                cursor = target
            default:
                throw DNSWireError.badLabel(offset: cursor)
            }
        }
    }
}
