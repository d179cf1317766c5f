import Crypto
import CryptoExtras
import DNSProto
import Foundation

/// Checks one signature with one DNSKEY through swift-crypto (BoringSSL): RSA PKCS#1 v1.5 with
/// SHA-256/512 (RFC 5702), ECDSA P-256/P-384 with the raw `r || s` signature (RFC 6605 §4),
/// Ed25519 (RFC 8080).
enum SignatureVerifier {
    /// Why a key could not be used at all (as opposed to a signature that does not verify).
    enum KeyProblem: Error, Equatable {
        /// The algorithm is not one of `DNSSECAlgorithm`.
        case unsupportedAlgorithm(UInt8)
        /// The key bytes do not form a key of the algorithm, or an RSA modulus is too short.
        case malformedKey
    }

    /// Whether `signature` over `data` verifies with `key`. Throws when the key itself is unusable.
    static func verify(signature: [UInt8], data: [UInt8], key: DNSKEY) throws -> Bool {
        guard let algorithm = DNSSECAlgorithm(rawValue: key.algorithm) else {
            throw KeyProblem.unsupportedAlgorithm(key.algorithm)
        }
        switch algorithm {
        case .rsaSHA256:
            return try rsaKey(key.publicKey).isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data),
                padding: .insecurePKCS1v1_5)
        case .rsaSHA512:
            return try rsaKey(key.publicKey).isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA512.hash(data: data),
                padding: .insecurePKCS1v1_5)
        case .ecdsaP256SHA256:
            guard let publicKey = try? P256.Signing.PublicKey(rawRepresentation: key.publicKey) else {
                throw KeyProblem.malformedKey
            }
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(ecdsa, for: SHA256.hash(data: data))
        case .ecdsaP384SHA384:
            guard let publicKey = try? P384.Signing.PublicKey(rawRepresentation: key.publicKey) else {
                throw KeyProblem.malformedKey
            }
            guard let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(ecdsa, for: SHA384.hash(data: data))
        case .ed25519:
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else {
                throw KeyProblem.malformedKey
            }
            return publicKey.isValidSignature(signature, for: data)
        }
    }

    /// swift-crypto's `init(n:e:)` refuses keys under 2048 bits; the DER initializer marked
    /// unsafe accepts 1024 and up, the floor dnsd wants (`DNSSECAlgorithm.minimumRSAModulusBits`).
    private static func rsaKey(_ bytes: [UInt8]) throws -> _RSA.Signing.PublicKey {
        guard case let (_, modulus)? = RSAPublicKeyEncoding.components(bytes),
              RSAPublicKeyEncoding.modulusBits(modulus) >= DNSSECAlgorithm.minimumRSAModulusBits,
              let der = RSAPublicKeyEncoding.pkcs1DER(bytes),
              let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: der) else {
            throw KeyProblem.malformedKey
        }
        return key
    }
}
