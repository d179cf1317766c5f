import DNSProto

/// Why an answer is bogus, in the terms of RFC 8914's extended DNS errors, so the client (and
/// the operator reading the query log) learns which link of the chain broke.
public enum DNSSECFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A signature did not verify with any matching key, or the data contradict the proof.
    case bogus(String)
    /// Every signature that could have verified had expired.
    case signatureExpired(String)
    /// Every signature that could have verified was not valid yet.
    case signatureNotYetValid(String)
    /// A signed zone's DNSKEY RRset is missing or no key in it matches the parent's DS.
    case dnskeyMissing(String)
    /// An RRset in a signed zone came without a usable RRSIG.
    case rrsigsMissing(String)
    /// A DS matched a DNSKEY without the Zone Key flag (RFC 4034 §2.1.1).
    case noZoneKeyBit(String)
    /// A denial of existence came without the NSEC/NSEC3 records that prove it.
    case nsecMissing(String)
    /// The validation budget (`ValidationBudget`) ran out.
    case budgetExhausted(String)

    /// The RFC 8914 INFO-CODE. A spent budget reports 6 "DNSSEC Bogus" with a text saying so:
    /// RFC 8914 has no code for resource limits, and the answer could not be proved.
    public var extendedErrorCode: UInt16 {
        switch self {
        case .bogus, .budgetExhausted: return ExtendedErrorCode.dnssecBogus
        case .signatureExpired: return ExtendedErrorCode.signatureExpired
        case .signatureNotYetValid: return ExtendedErrorCode.signatureNotYetValid
        case .dnskeyMissing: return ExtendedErrorCode.dnskeyMissing
        case .rrsigsMissing: return ExtendedErrorCode.rrsigsMissing
        case .noZoneKeyBit: return ExtendedErrorCode.noZoneKeyBitSet
        case .nsecMissing: return ExtendedErrorCode.nsecMissing
        }
    }

    public var description: String {
        switch self {
        case .bogus(let text): return "DNSSEC bogus: \(text)"
        case .signatureExpired(let text): return "signature expired: \(text)"
        case .signatureNotYetValid(let text): return "signature not yet valid: \(text)"
        case .dnskeyMissing(let text): return "DNSKEY missing: \(text)"
        case .rrsigsMissing(let text): return "RRSIGs missing: \(text)"
        case .noZoneKeyBit(let text): return "no zone key bit: \(text)"
        case .nsecMissing(let text): return "NSEC missing: \(text)"
        case .budgetExhausted(let text): return "validation budget exhausted: \(text)"
        }
    }
}
