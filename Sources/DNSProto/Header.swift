/// DNS OPCODE (RFC 1035 §4.1.1, RFC 6895).
public struct Opcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
    public static let query = Opcode(rawValue: 0)
    public static let iquery = Opcode(rawValue: 1)
    public static let status = Opcode(rawValue: 2)
    public static let notify = Opcode(rawValue: 4)
    public static let update = Opcode(rawValue: 5)
    public var description: String {
        switch rawValue {
        case 0: return "QUERY"
        case 1: return "IQUERY"
        case 2: return "STATUS"
        case 4: return "NOTIFY"
        case 5: return "UPDATE"
        default: return "OPCODE\(rawValue)"
        }
    }
}

/// Response code, including the extended codes that need EDNS (RFC 6891 §6.1.3).
public struct Rcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }
    public static let noError = Rcode(rawValue: 0)
    public static let formErr = Rcode(rawValue: 1)
    public static let servFail = Rcode(rawValue: 2)
    public static let nxDomain = Rcode(rawValue: 3)
    public static let notImp = Rcode(rawValue: 4)
    public static let refused = Rcode(rawValue: 5)
    public static let yxDomain = Rcode(rawValue: 6)
    public static let notAuth = Rcode(rawValue: 9)
    public static let badVers = Rcode(rawValue: 16)
    public static let badCookie = Rcode(rawValue: 23)
    public var description: String {
        switch rawValue {
        case 0: return "NOERROR"
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        case 6: return "YXDOMAIN"
        case 7: return "YXRRSET"
        case 8: return "NXRRSET"
        case 9: return "NOTAUTH"
        case 10: return "NOTZONE"
        case 16: return "BADVERS"
        case 23: return "BADCOOKIE"
        default: return "RCODE\(rawValue)"
        }
    }
}

/// The fixed 12-byte message header (RFC 1035 §4.1.1), minus the section counts, which the
/// message computes from its sections.
public struct Header: Sendable, Hashable {
    public var id: UInt16 = 0
    public var isResponse = false
    public var opcode: Opcode = .query
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    /// The Z bit; must be zero, echoed as zero.
    public var zero = false
    public var authenticData = false
    public var checkingDisabled = false
    /// The low four bits of the response code; the rest lives in the OPT record.
    public var rcodeLow: UInt8 = 0

    public init(id: UInt16 = 0) { self.id = id }

    /// The 16-bit flags word as it appears on the wire.
    public var flags: UInt16 {
        get {
            var value = UInt16(opcode.rawValue) << 11 | UInt16(rcodeLow & 0x0F)
            if isResponse { value |= 0x8000 }
            if authoritative { value |= 0x0400 }
            if truncated { value |= 0x0200 }
            if recursionDesired { value |= 0x0100 }
            if recursionAvailable { value |= 0x0080 }
            if zero { value |= 0x0040 }
            if authenticData { value |= 0x0020 }
            if checkingDisabled { value |= 0x0010 }
            return value
        }
        set {
            isResponse = newValue & 0x8000 != 0
            opcode = Opcode(rawValue: UInt8((newValue >> 11) & 0x0F))
            authoritative = newValue & 0x0400 != 0
            truncated = newValue & 0x0200 != 0
            recursionDesired = newValue & 0x0100 != 0
            recursionAvailable = newValue & 0x0080 != 0
            zero = newValue & 0x0040 != 0
            authenticData = newValue & 0x0020 != 0
            checkingDisabled = newValue & 0x0010 != 0
            rcodeLow = UInt8(newValue & 0x000F)
        }
    }
}
