/// The DNSKEY/RRSIG algorithms dnsd validates (IANA "DNS Security Algorithm Numbers"): of
/// RFC 8624 §3.1's list, the MUSTs 8, 10 and 13 and the RECOMMENDED 14 and 15. RSA/SHA-1
/// (5, 7; still MUST there) and Ed448 (16) are not validated yet: a zone signed only with them
/// comes out insecure, as RFC 4035 §5.2 asks for an algorithm the validator does not support.
public enum DNSSECAlgorithm: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case rsaSHA256 = 8
    case rsaSHA512 = 10
    case ecdsaP256SHA256 = 13
    case ecdsaP384SHA384 = 14
    case ed25519 = 15

    /// The smallest RSA modulus accepted: RFC 8624 §3.1 notes 1024-bit zone keys still signed
    /// the bulk of zones when it was written; below that a key is refused as bogus.
    public static let minimumRSAModulusBits = 1024

    public var description: String {
        switch self {
        case .rsaSHA256: return "RSASHA256"
        case .rsaSHA512: return "RSASHA512"
        case .ecdsaP256SHA256: return "ECDSAP256SHA256"
        case .ecdsaP384SHA384: return "ECDSAP384SHA384"
        case .ed25519: return "ED25519"
        }
    }
}
