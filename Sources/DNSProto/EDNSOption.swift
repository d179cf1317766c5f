/// One EDNS0 option (RFC 6891 §6.1.2). Known options are typed; others keep their bytes.
public enum EDNSOption: Sendable, Hashable {
    /// RFC 7871 client subnet.
    case clientSubnet(ClientSubnet)
    /// RFC 7873 cookie: 8-byte client cookie and an optional 8-32 byte server cookie.
    case cookie(client: [UInt8], server: [UInt8])
    /// RFC 7830 padding: `length` zero octets (any content is accepted on read).
    case padding(length: Int)
    /// RFC 8914 extended DNS error: INFO-CODE and optional UTF-8 EXTRA-TEXT.
    case extendedError(code: UInt16, text: String)
    /// RFC 7828 edns-tcp-keepalive; the timeout is in units of 100 ms, absent in queries.
    case tcpKeepalive(timeout: UInt16?)
    case unknown(code: UInt16, data: [UInt8])

    public static let clientSubnetCode: UInt16 = 8
    public static let cookieCode: UInt16 = 10
    public static let tcpKeepaliveCode: UInt16 = 11
    public static let paddingCode: UInt16 = 12
    public static let extendedErrorCode: UInt16 = 15

    public var code: UInt16 {
        switch self {
        case .clientSubnet: return Self.clientSubnetCode
        case .cookie: return Self.cookieCode
        case .padding: return Self.paddingCode
        case .extendedError: return Self.extendedErrorCode
        case .tcpKeepalive: return Self.tcpKeepaliveCode
        case .unknown(let code, _): return code
        }
    }

    /// Decodes one option's data. Malformed known options throw, which the server answers
    /// with FORMERR (RFC 7871 §7.1.1, RFC 7873 §5.2.2).
    public static func decode(code: UInt16, data: [UInt8]) throws -> EDNSOption {
        switch code {
        case clientSubnetCode:
            return .clientSubnet(try ClientSubnet(optionData: data))
        case cookieCode:
            guard data.count == 8 || (data.count >= 16 && data.count <= 40) else {
                throw DNSWireError.badOPT("cookie option of \(data.count) octets")
            }
            return .cookie(client: Array(data[0..<8]), server: Array(data[8...]))
        case paddingCode:
            return .padding(length: data.count)
        case extendedErrorCode:
            guard data.count >= 2 else { throw DNSWireError.badOPT("extended error shorter than 2 octets") }
            let infoCode = UInt16(data[0]) << 8 | UInt16(data[1])
            return .extendedError(code: infoCode, text: String(decoding: data[2...], as: UTF8.self))
        case tcpKeepaliveCode:
            switch data.count {
            case 0: return .tcpKeepalive(timeout: nil)
            case 2: return .tcpKeepalive(timeout: UInt16(data[0]) << 8 | UInt16(data[1]))
            default: throw DNSWireError.badOPT("tcp-keepalive option of \(data.count) octets")
            }
        default:
            return .unknown(code: code, data: data)
        }
    }

    /// The option's data octets (without code and length).
    public var data: [UInt8] {
        switch self {
        case .clientSubnet(let subnet): return subnet.optionData
        case .cookie(let client, let server): return client + server
        case .padding(let length): return [UInt8](repeating: 0, count: length)
        case .extendedError(let code, let text): return [UInt8(code >> 8), UInt8(truncatingIfNeeded: code)] + Array(text.utf8)
        case .tcpKeepalive(let timeout):
            guard let timeout else { return [] }
            return [UInt8(timeout >> 8), UInt8(truncatingIfNeeded: timeout)]
        case .unknown(_, let data): return data
        }
    }
}

/// Well-known RFC 8914 INFO-CODEs that dnsd sends.
public enum ExtendedErrorCode {
    public static let other: UInt16 = 0
    public static let unsupportedDNSKEYAlgorithm: UInt16 = 1
    public static let unsupportedDSDigestType: UInt16 = 2
    public static let staleAnswer: UInt16 = 3
    public static let dnssecIndeterminate: UInt16 = 5
    public static let dnssecBogus: UInt16 = 6
    public static let signatureExpired: UInt16 = 7
    public static let signatureNotYetValid: UInt16 = 8
    public static let dnskeyMissing: UInt16 = 9
    public static let rrsigsMissing: UInt16 = 10
    public static let noZoneKeyBitSet: UInt16 = 11
    public static let nsecMissing: UInt16 = 12
    public static let blocked: UInt16 = 15
    public static let prohibited: UInt16 = 18
    public static let notAuthoritative: UInt16 = 20
    public static let notSupported: UInt16 = 21
    public static let noReachableAuthority: UInt16 = 22
    public static let networkError: UInt16 = 23
}
