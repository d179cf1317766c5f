import DNSProto

/// Why a resolution ended without an answer; becomes SERVFAIL with an extended DNS error
/// (RFC 8914) for the client.
public enum RecursionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A limit of `RecursionLimits` was reached (its name and value in the text).
    case limit(String)
    /// No server of a zone gave a usable answer (lame, refusing or unreachable).
    case noReachableAuthority(String)
    /// Something else went wrong (a loop in the data, a malformed delegation).
    case other(String)
    /// The answer failed DNSSEC validation.
    case bogus(DNSSECFailure)

    /// The extended error code: 22 "No Reachable Authority" for dead or lame zones; 0 "Other"
    /// for limits and loops (RFC 8914 has no code for resource limits), with the text saying which.
    public var extendedErrorCode: UInt16 {
        switch self {
        case .noReachableAuthority: return ExtendedErrorCode.noReachableAuthority
        case .limit, .other: return ExtendedErrorCode.other
        case .bogus(let failure): return failure.extendedErrorCode
        }
    }

    public var description: String {
        switch self {
        case .limit(let text): return "recursion limit: \(text)"
        case .noReachableAuthority(let text), .other(let text): return text
        case .bogus(let failure): return failure.description
        }
    }
}
