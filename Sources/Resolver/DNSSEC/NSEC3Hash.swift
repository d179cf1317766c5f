import Crypto
import DNSProto

/// The NSEC3 owner-name hash (RFC 5155 §5): SHA-1 over the canonical name and the salt, then
/// `iterations` more times over the previous digest and the salt.
enum NSEC3Hash {
    /// Iterations above this make a proof insecure rather than computed (RFC 9276 §3.2 lets a
    /// validator choose; BIND and Unbound use 150, and signers now use 0).
    static let maxIterations: UInt16 = 150

    static func hash(_ name: DNSName, salt: [UInt8], iterations: UInt16) -> [UInt8] {
        var digest = Array(Insecure.SHA1.hash(data: name.lowercasedWire + salt))
        for _ in 0..<iterations { digest = Array(Insecure.SHA1.hash(data: digest + salt)) }
        return digest
    }
}
