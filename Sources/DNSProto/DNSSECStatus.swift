/// The security status a validating resolver gives an answer (RFC 4033 §5): the four states
/// operators see in query events, `cache.lookup` and the `dnsd_dnssec_validations_total` metric.
public enum DNSSECStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Proved by a chain of signatures from a trust anchor.
    case secure
    /// Provably unsigned (or under a negative trust anchor): used without AD.
    case insecure
    /// The proof failed: answered SERVFAIL with the extended error saying why.
    case bogus
    /// Validation could not finish (a DS or DNSKEY lookup failed, a limit was reached).
    case indeterminate

    public var description: String {
        switch self {
        case .secure: return "secure"
        case .insecure: return "insecure"
        case .bogus: return "bogus"
        case .indeterminate: return "indeterminate"
        }
    }
}

extension Message {
    /// The text of the first extended DNS error (RFC 8914) the message carries, nil without one:
    /// for a bogus answer it says which link of the chain broke.
    public var extendedErrorText: String? { edns?.options.extendedErrorText }
}

extension Array where Element == EDNSOption {
    /// The text of the first extended DNS error among these options, nil without one.
    public var extendedErrorText: String? {
        lazy.compactMap { option -> String? in
            if case .extendedError(_, let text) = option { return text } else { return nil }
        }.first
    }
}
