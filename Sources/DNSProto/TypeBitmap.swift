/// The set of record types at a name, as NSEC and NSEC3 carry it: on the wire the windowed
/// bitmap of RFC 4034 §4.1.2 (RFC 5155 §3.2.1 reuses it), in text the type mnemonics in
/// ascending order.
public struct TypeBitmap: Sendable, Hashable, Sequence, CustomStringConvertible {
    /// The types present.
    public private(set) var types: Set<RecordType>

    /// A bitmap holding `types`.
    public init(_ types: some Sequence<RecordType> = []) {
        self.types = Set(types)
    }

    /// No types: legal, e.g. the NSEC3 of an empty non-terminal (RFC 5155 §7.1).
    public var isEmpty: Bool { types.isEmpty }
    /// How many types are present.
    public var count: Int { types.count }
    /// Whether `type` is present (a set lookup, not a scan).
    public func contains(_ type: RecordType) -> Bool { types.contains(type) }
    /// Adds `type`.
    public mutating func insert(_ type: RecordType) { types.insert(type) }
    /// Removes `type` if present.
    public mutating func remove(_ type: RecordType) { types.remove(type) }

    /// The types in ascending numeric order.
    public var sorted: [RecordType] { types.sorted() }

    /// Iterates in ascending numeric order.
    public func makeIterator() -> IndexingIterator<[RecordType]> { sorted.makeIterator() }

    /// Reads window blocks up to `reader.limit`. RFC 4034 §4.1.2: windows appear in increasing
    /// order, each 1-32 octets long, blocks with no types are left out and trailing zero
    /// octets are omitted; anything else is malformed, so a bitmap has one encoding only.
    /// `type` names the record in the error (NSEC or NSEC3).
    public static func read(from reader: inout WireReader, in type: RecordType) throws -> TypeBitmap {
        func malformed(_ reason: String) -> DNSWireError { .badRData(type: type.rawValue, reason: "type bitmap: " + reason) }
        var types = Set<RecordType>()
        var previousWindow = -1
        while !reader.isAtEnd {
            guard reader.remaining >= 2 else { throw malformed("window header cut short") }
            let window = Int(try reader.readU8())
            let length = Int(try reader.readU8())
            guard window > previousWindow else { throw malformed("window \(window) after window \(previousWindow)") }
            guard (1...32).contains(length) else { throw malformed("window \(window) has length \(length), not 1-32") }
            guard reader.remaining >= length else { throw malformed("window \(window) needs \(length) octets, \(reader.remaining) left") }
            let octets = try reader.readBytes(length)
            guard let last = octets.last, last != 0 else { throw malformed("window \(window) ends with a zero octet") }
            for (index, octet) in octets.enumerated() where octet != 0 {
                for bit in 0..<8 where octet & (0x80 >> UInt8(bit)) != 0 {
                    types.insert(RecordType(rawValue: UInt16(window << 8 | index << 3 | bit)))
                }
            }
            previousWindow = window
        }
        return TypeBitmap(types)
    }

    /// Writes the non-empty windows in order, each as short as its highest type allows.
    public func write(to writer: inout WireWriter) {
        var windows: [UInt8: [UInt8]] = [:]
        for type in types {
            let window = UInt8(type.rawValue >> 8)
            let low = Int(type.rawValue & 0xFF)
            var octets = windows[window] ?? []
            if octets.count <= low >> 3 { octets += [UInt8](repeating: 0, count: (low >> 3) + 1 - octets.count) }
            octets[low >> 3] |= 0x80 >> UInt8(low & 7)
            windows[window] = octets
        }
        for window in windows.keys.sorted() {
            let octets = windows[window] ?? []
            writer.writeU8(window)
            writer.writeU8(UInt8(octets.count))
            writer.writeBytes(octets)
        }
    }

    /// Reads every remaining field as a type mnemonic or `TYPEnnn` (RFC 3597 §5).
    public init(text: inout RDataTextReader) throws {
        var types = Set<RecordType>()
        while let token = text.peek() {
            guard !token.quoted, let type = RecordType(mnemonic: token.text) else {
                throw text.error("expected a record type in the type bitmap, found '\(token.text)'", at: token)
            }
            types.insert(type)
            _ = try text.next("record type")
        }
        self.types = types
    }

    /// Mnemonics in ascending numeric order, separated by spaces; empty for no types.
    public var presentation: String { sorted.map(\.description).joined(separator: " ") }

    /// Same as `presentation`.
    public var description: String { presentation }
}
