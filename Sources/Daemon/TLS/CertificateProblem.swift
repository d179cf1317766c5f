import Foundation

/// Why a certificate or key file was refused. Each case has a stable `code` for scripts and a
/// human `description` that says what to fix.
enum CertificateProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// open/read failed (EACCES, ENOENT, ...).
    case unreadable(String)
    /// Not PEM, cut short, or not a certificate/key.
    case malformed(String)
    /// The private key is not the one the leaf certificate was issued for.
    case keyMismatch(String)
    /// A certificate in the chain is past its notAfter (BoringSSL does not check dates).
    case expired(String)
    /// A certificate in the chain is before its notBefore.
    case notYetValid(String)
    /// Certificate N was not issued by certificate N+1.
    case brokenChain(String)
    /// Fewer certificates than the chain being served: a file cut between two certificates.
    case shorterChain(String)
    /// BoringSSL refused the pair when building the TLS context.
    case rejected(String)

    var code: String {
        switch self {
        case .unreadable: "unreadable"
        case .malformed: "malformed"
        case .keyMismatch: "key_mismatch"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .brokenChain: "broken_chain"
        case .shorterChain: "shorter_chain"
        case .rejected: "rejected"
        }
    }

    var description: String {
        switch self {
        case .unreadable(let text), .malformed(let text), .keyMismatch(let text), .expired(let text),
             .notYetValid(let text), .brokenChain(let text), .shorterChain(let text), .rejected(let text):
            text
        }
    }
}

/// A refused certificate: the file at fault and why, as `FILE: reason`.
struct CertificateLoadError: Error, Sendable, CustomStringConvertible {
    var file: String
    var problem: CertificateProblem

    var description: String { "\(file): \(problem)" }
}
