/// Why a message could not be read from or written to the wire.
///
/// Every malformed input ends in one of these values; the parser never traps on
/// attacker-controlled bytes.
public enum DNSWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended before a field that was needed (`needed` bytes at `offset`).
    case truncated(offset: Int, needed: Int)
    /// A label is longer than 63 octets, or a length byte uses the reserved 0x40/0x80 forms.
    case badLabel(offset: Int)
    /// A name is longer than 255 octets in wire form.
    case nameTooLong
    /// A compression pointer points forward, at itself, or into a loop.
    case badPointer(offset: Int)
    /// RDATA did not match its declared length or its type's layout.
    case badRData(type: UInt16, reason: String)
    /// More than one OPT record, or an OPT record outside the additional section.
    case badOPT(String)
    /// A count in the header promises more records than the message holds.
    case countMismatch(section: String)
    /// A value that cannot be encoded (e.g. a field longer than its length prefix allows).
    case unencodable(String)

    public var description: String {
        switch self {
        case .truncated(let offset, let needed): return "message truncated at offset \(offset) (needed \(needed) more bytes)"
        case .badLabel(let offset): return "bad label at offset \(offset)"
        case .nameTooLong: return "name longer than 255 octets"
        case .badPointer(let offset): return "bad compression pointer at offset \(offset)"
        case .badRData(let type, let reason): return "bad RDATA for type \(RecordType(rawValue: type)): \(reason)"
        case .badOPT(let reason): return "bad OPT record: \(reason)"
        case .countMismatch(let section): return "header count for \(section) section exceeds the message"
        case .unencodable(let reason): return "cannot encode: \(reason)"
        }
    }
}
