/// A SvcParamKey of SVCB and HTTPS records (RFC 9460 §14.3.2, the IANA "Service Parameter
/// Keys" registry). Unregistered keys are kept and written `keyNNNNN`.
public struct SvcParamKey: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The key number on the wire.
    public let rawValue: UInt16
    /// Any key number; unregistered ones are fine.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Keys the client must understand to use the record (RFC 9460 §8).
    public static let mandatory = SvcParamKey(rawValue: 0)
    /// TLS ALPN protocol ids the endpoint supports (RFC 9460 §7.1).
    public static let alpn = SvcParamKey(rawValue: 1)
    /// The scheme's default ALPN protocol is not offered (RFC 9460 §7.1).
    public static let noDefaultALPN = SvcParamKey(rawValue: 2)
    /// Alternative port (RFC 9460 §7.2).
    public static let port = SvcParamKey(rawValue: 3)
    /// IPv4 addresses to try before the target's A records arrive (RFC 9460 §7.3).
    public static let ipv4Hint = SvcParamKey(rawValue: 4)
    /// TLS Encrypted Client Hello configuration list (draft-ietf-tls-svcb-ech), base64 in text.
    public static let ech = SvcParamKey(rawValue: 5)
    /// IPv6 addresses to try before the target's AAAA records arrive (RFC 9460 §7.3).
    public static let ipv6Hint = SvcParamKey(rawValue: 6)
    /// DNS-over-HTTPS URI template path (RFC 9461 §5).
    public static let dohPath = SvcParamKey(rawValue: 7)

    private static let names = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath"]

    /// Whether dnsd knows this key's value format; other keys are opaque octets.
    public var isKnown: Bool { Int(rawValue) < Self.names.count }

    /// The registered name, or `keyNNNNN` (RFC 9460 §2.1).
    public var description: String { isKnown ? Self.names[Int(rawValue)] : "key\(rawValue)" }

    /// Parses a registered name or `keyNNNNN` (no leading zeros, RFC 9460 §2.1), in any case.
    /// `key1` is the same key as `alpn` and takes the same value format.
    public init?(name: String) {
        let lower = name.lowercased()
        if let index = Self.names.firstIndex(of: lower) {
            self.init(rawValue: UInt16(index))
            return
        }
        let digits = lower.utf8.dropFirst(3)
        guard lower.hasPrefix("key"), !digits.isEmpty, digits.allSatisfy(PresentationEscapes.isDigit),
              digits.count == 1 || digits.first != UInt8(ascii: "0"),
              let value = UInt16(String(decoding: digits, as: UTF8.self)) else { return nil }
        self.init(rawValue: value)
    }

    /// Numeric order, the order keys take on the wire (RFC 9460 §2.2).
    public static func < (lhs: SvcParamKey, rhs: SvcParamKey) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One SvcParam of an SVCB or HTTPS record: a key and its value, typed for the keys dnsd
/// knows (RFC 9460 §7, RFC 9461 §5) and exact octets for the rest.
public enum SvcParam: Sendable, Hashable {
    /// Keys a client must support to use the record; sorted, never `mandatory` itself.
    case mandatory([SvcParamKey])
    /// ALPN protocol ids, each 1-255 octets, at least one.
    case alpn([[UInt8]])
    /// No value.
    case noDefaultALPN
    /// The TCP or UDP port to connect to instead of the scheme's default.
    case port(UInt16)
    /// At least one address.
    case ipv4Hint([IPv4Address])
    /// The ECHConfigList octets, opaque here.
    case ech([UInt8])
    /// At least one address.
    case ipv6Hint([IPv6Address])
    /// The URI template as UTF-8 octets (kept as octets so equality is octet equality).
    case dohPath([UInt8])
    /// A key dnsd has no format for (never one of the keys above): its value octets exactly.
    case unknown(key: SvcParamKey, value: [UInt8])

    /// The key this parameter is stored under.
    public var key: SvcParamKey {
        switch self {
        case .mandatory: return .mandatory
        case .alpn: return .alpn
        case .noDefaultALPN: return .noDefaultALPN
        case .port: return .port
        case .ipv4Hint: return .ipv4Hint
        case .ech: return .ech
        case .ipv6Hint: return .ipv6Hint
        case .dohPath: return .dohPath
        case .unknown(let key, _): return key
        }
    }

    /// The SvcParamValue in wire form (without key and length).
    public var wireValue: [UInt8] {
        switch self {
        case .mandatory(let keys): return keys.flatMap { [UInt8($0.rawValue >> 8), UInt8(truncatingIfNeeded: $0.rawValue)] }
        case .alpn(let ids): return ids.flatMap { [UInt8(truncatingIfNeeded: $0.count)] + $0 }
        case .noDefaultALPN: return []
        case .port(let port): return [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)]
        case .ipv4Hint(let addresses): return addresses.flatMap(\.bytes)
        case .ech(let value), .dohPath(let value), .unknown(_, let value): return value
        case .ipv6Hint(let addresses): return addresses.flatMap(\.bytes)
        }
    }

    /// What is wrong with the value, or nil. Checks that hold however the value was made:
    /// the typed cases make most malformed values impossible, these catch the rest.
    var problem: String? {
        switch self {
        case .mandatory(let keys):
            if keys.isEmpty { return "mandatory lists no keys" }
            if keys.contains(.mandatory) { return "mandatory must not list itself (RFC 9460 §8)" }
            for (earlier, later) in zip(keys, keys.dropFirst()) where earlier >= later {
                return earlier == later ? "mandatory lists \(later) twice" : "mandatory keys are not in increasing order"
            }
        case .alpn(let ids):
            if ids.isEmpty { return "alpn lists no protocol ids" }
            if ids.contains(where: { $0.isEmpty || $0.count > 255 }) { return "an alpn protocol id must be 1-255 octets" }
        case .ipv4Hint(let addresses):
            if addresses.isEmpty { return "ipv4hint lists no addresses" }
        case .ipv6Hint(let addresses):
            if addresses.isEmpty { return "ipv6hint lists no addresses" }
        case .dohPath(let value):
            if String(validating: value, as: UTF8.self) == nil { return "dohpath is not UTF-8 (RFC 9461 §5)" }
        case .unknown(let key, _):
            if key.isKnown { return "\(key) needs its typed value, not opaque octets" }
        case .noDefaultALPN, .port, .ech:
            break
        }
        if wireValue.count > 65535 { return "\(key) value is longer than 65535 octets" }
        return nil
    }

    /// Decodes a SvcParamValue from the wire; throws `SvcParamFormatError` when it does not fit
    /// the key's format (RFC 9460 §7 and §8 for the wire layouts).
    static func decode(key: SvcParamKey, wire value: [UInt8]) throws(SvcParamFormatError) -> SvcParam {
        let param: SvcParam
        switch key {
        case .mandatory:
            guard value.count % 2 == 0 else { throw SvcParamFormatError("mandatory value has an odd length \(value.count)") }
            param = .mandatory(stride(from: 0, to: value.count, by: 2).map {
                SvcParamKey(rawValue: UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]))
            })
        case .alpn:
            var ids: [[UInt8]] = []
            var index = 0
            while index < value.count {
                let end = index + 1 + Int(value[index])
                guard end <= value.count else { throw SvcParamFormatError("alpn protocol id runs past the value") }
                ids.append(Array(value[(index + 1)..<end]))
                index = end
            }
            param = .alpn(ids)
        case .noDefaultALPN:
            guard value.isEmpty else { throw SvcParamFormatError("no-default-alpn must have an empty value") }
            param = .noDefaultALPN
        case .port:
            guard value.count == 2 else { throw SvcParamFormatError("port value is \(value.count) octets, not 2") }
            param = .port(UInt16(value[0]) << 8 | UInt16(value[1]))
        case .ipv4Hint:
            guard value.count % 4 == 0 else { throw SvcParamFormatError("ipv4hint length \(value.count) is not a multiple of 4") }
            param = .ipv4Hint(stride(from: 0, to: value.count, by: 4).compactMap { IPv4Address(bytes: Array(value[$0..<($0 + 4)])) })
        case .ech:
            param = .ech(value)
        case .ipv6Hint:
            guard value.count % 16 == 0 else { throw SvcParamFormatError("ipv6hint length \(value.count) is not a multiple of 16") }
            param = .ipv6Hint(stride(from: 0, to: value.count, by: 16).compactMap { IPv6Address(bytes: Array(value[$0..<($0 + 16)])) })
        case .dohPath:
            param = .dohPath(value)
        default:
            param = .unknown(key: key, value: value)
        }
        if let problem = param.problem { throw SvcParamFormatError(problem) }
        return param
    }

    /// Parses a presentation value (RFC 9460 §2.1 and Appendix A). `value` is the field text
    /// after `=` with its escapes still in it, or nil when there was no `=`. List values are
    /// decoded in two steps: first the character-string escapes, then the list's own `\,`
    /// and `\\` (Appendix A.1), so `alpn=f\\\\oo\\,bar,h2` holds `f\oo,bar` and `h2`.
    static func parse(key: SvcParamKey, text value: String?) throws(SvcParamFormatError) -> SvcParam {
        let octets: [UInt8]?
        do { octets = try value.map(PresentationEscapes.decode) } catch {
            throw SvcParamFormatError("\(error) in the \(key) value")
        }
        func required() throws(SvcParamFormatError) -> [UInt8] {
            guard let octets, !octets.isEmpty else { throw SvcParamFormatError("\(key) needs a value") }
            return octets
        }
        func list() throws(SvcParamFormatError) -> [[UInt8]] {
            guard let items = splitValueList(try required()) else {
                throw SvcParamFormatError("\(key) value is not a comma-separated list of non-empty items")
            }
            return items
        }
        func string(_ item: [UInt8]) -> String { String(decoding: item, as: UTF8.self) }
        let param: SvcParam
        switch key {
        case .mandatory:
            var keys: [SvcParamKey] = []
            for item in try list() {
                guard let listed = SvcParamKey(name: string(item)) else {
                    throw SvcParamFormatError("mandatory lists '\(string(item))', which is not a SvcParamKey")
                }
                keys.append(listed)
            }
            param = .mandatory(keys.sorted())
        case .alpn:
            param = .alpn(try list())
        case .noDefaultALPN:
            guard octets?.isEmpty ?? true else { throw SvcParamFormatError("no-default-alpn takes no value") }
            param = .noDefaultALPN
        case .port:
            let digits = try required()
            guard digits.count <= 5, digits.allSatisfy(PresentationEscapes.isDigit), let port = UInt16(string(digits)) else {
                throw SvcParamFormatError("port must be a number 0-65535, not '\(string(digits))'")
            }
            param = .port(port)
        case .ipv4Hint:
            var addresses: [IPv4Address] = []
            for item in try list() {
                guard let address = IPv4Address(string(item)) else { throw SvcParamFormatError("'\(string(item))' is not an IPv4 address") }
                addresses.append(address)
            }
            param = .ipv4Hint(addresses)
        case .ech:
            let text = string(octets ?? [])
            guard let config = Base64Encoding.decode(text) else { throw SvcParamFormatError("ech value is not base64") }
            param = .ech(config)
        case .ipv6Hint:
            var addresses: [IPv6Address] = []
            for item in try list() {
                guard let address = IPv6Address(string(item)) else { throw SvcParamFormatError("'\(string(item))' is not an IPv6 address") }
                addresses.append(address)
            }
            param = .ipv6Hint(addresses)
        case .dohPath:
            param = .dohPath(octets ?? [])
        default:
            param = .unknown(key: key, value: octets ?? [])
        }
        if let problem = param.problem { throw SvcParamFormatError(problem) }
        return param
    }

    /// `key` or `key=value`, unquoted, escaped so that `parse` gives the same value back
    /// through any zone-file lexer: blanks and other special characters become escapes.
    public var presentation: String {
        switch self {
        case .mandatory(let keys): return "mandatory=" + keys.map(\.description).joined(separator: ",")
        case .alpn(let ids): return "alpn=" + Self.escaped(Self.joinValueList(ids))
        case .noDefaultALPN: return "no-default-alpn"
        case .port(let port): return "port=\(port)"
        case .ipv4Hint(let addresses): return "ipv4hint=" + addresses.map(\.description).joined(separator: ",")
        case .ech(let config): return config.isEmpty ? "ech" : "ech=" + Base64Encoding.encode(config)
        case .ipv6Hint(let addresses): return "ipv6hint=" + addresses.map(\.description).joined(separator: ",")
        case .dohPath(let value), .unknown(_, let value):
            return value.isEmpty ? key.description : "\(key)=" + Self.escaped(value)
        }
    }

    /// RFC 9460 Appendix A.1: items split at unescaped commas; `\,` and `\\` stand for a comma
    /// and a backslash inside an item. nil for an empty item or any other backslash use.
    static func splitValueList(_ octets: [UInt8]) -> [[UInt8]]? {
        let comma = UInt8(ascii: ","), backslash = UInt8(ascii: "\\")
        var items: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < octets.count {
            let byte = octets[index]
            if byte == backslash {
                guard index + 1 < octets.count, octets[index + 1] == comma || octets[index + 1] == backslash else { return nil }
                current.append(octets[index + 1])
                index += 2
            } else if byte == comma {
                guard !current.isEmpty else { return nil }
                items.append(current)
                current = []
                index += 1
            } else {
                current.append(byte)
                index += 1
            }
        }
        guard !current.isEmpty else { return nil }
        items.append(current)
        return items
    }

    /// The inverse of `splitValueList`.
    static func joinValueList(_ items: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (number, item) in items.enumerated() {
            if number > 0 { out.append(UInt8(ascii: ",")) }
            for byte in item {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
        }
        return out
    }

    /// Character-string escapes for an unquoted field: printable ASCII stays, `"`, `\`, `(`,
    /// `)` and `;` get a backslash, everything else (blanks, controls, non-ASCII) is `\DDD`.
    static func escaped(_ octets: [UInt8]) -> String {
        var out = ""
        for byte in octets {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ";"):
                out.append("\\")
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x21...0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                PresentationEscapes.appendDecimalEscape(byte, to: &out)
            }
        }
        return out
    }
}

/// Why a SvcParam value does not fit its key's format; SVCB turns it into a wire or text error.
struct SvcParamFormatError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
