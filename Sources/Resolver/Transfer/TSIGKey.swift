import Crypto
import DNSProto

/// A TSIG key (RFC 8945): the name both ends know it by, its HMAC algorithm and the shared
/// secret. Two keys with one name are one key: the name is what a signed message carries.
public struct TSIGKey: Sendable, Hashable {
    /// The HMAC algorithms dnsd signs and verifies with (RFC 8945 §6: SHA-256 is the one every
    /// implementation must have; MD5 and SHA-1 are not offered).
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case hmacSHA256 = "hmac-sha256"
        case hmacSHA384 = "hmac-sha384"
        case hmacSHA512 = "hmac-sha512"

        /// The algorithm's name as the TSIG record spells it.
        public var name: DNSName { try! DNSName(rawValue + ".") }

        /// Bytes of a full MAC.
        public var macSize: Int {
            switch self {
            case .hmacSHA256: 32
            case .hmacSHA384: 48
            case .hmacSHA512: 64
            }
        }

        public init?(name: DNSName) {
            guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = found
        }

        func mac(_ data: [UInt8], secret: [UInt8]) -> [UInt8] {
            let key = SymmetricKey(data: secret)
            switch self {
            case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
            case .hmacSHA384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: key))
            case .hmacSHA512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
            }
        }

        /// Constant-time check of `mac` (HMAC's own comparison, not `==`).
        func isValid(_ mac: [UInt8], for data: [UInt8], secret: [UInt8]) -> Bool {
            let key = SymmetricKey(data: secret)
            switch self {
            case .hmacSHA256: return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: data, using: key)
            case .hmacSHA384: return HMAC<SHA384>.isValidAuthenticationCode(mac, authenticating: data, using: key)
            case .hmacSHA512: return HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: data, using: key)
            }
        }
    }

    public let name: DNSName
    public let algorithm: Algorithm
    public let secret: [UInt8]

    public init(name: DNSName, algorithm: Algorithm, secret: [UInt8]) {
        self.name = name.lowercased
        self.algorithm = algorithm
        self.secret = secret
    }
}

/// The keys of one configuration, by name.
public struct TSIGKeyring: Sendable {
    private let keys: [DNSName: TSIGKey]

    public init(_ keys: [TSIGKey] = []) {
        self.keys = Dictionary(keys.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(name: DNSName) -> TSIGKey? { keys[name.lowercased] }

    public var isEmpty: Bool { keys.isEmpty }
}
