import DNSProto

/// What a set of authenticated NSEC or NSEC3 records proves about a name (RFC 4035 §5.4,
/// RFC 5155 §8). The records given must already have been verified with the zone's keys.
public enum DenialProof: Sendable, Equatable {
    /// The denial holds.
    case proven
    /// The name may lie in an NSEC3 opt-out span (RFC 5155 §6): an unsigned delegation is
    /// possible there, so the answer is insecure, not bogus.
    case optOut
    /// NSEC3 with more iterations than dnsd computes (RFC 9276 §3.2): treated as insecure.
    case tooManyIterations(UInt16)
    /// The records do not prove the denial.
    case missing(String)
    /// The NSEC3 hash budget ran out.
    case budgetExhausted

    /// Which question a negative answer answers.
    public enum Claim: Sendable, Equatable {
        /// `name` exists without `type` (NODATA).
        case noData(RecordType)
        /// `name` is a delegation without DS: the parent's proof that the child is unsigned
        /// (RFC 4035 §5.2; the NS bit set, DS and SOA clear, RFC 6840 §4.4), or an NSEC3
        /// opt-out span over it (RFC 5155 §8.6).
        case insecureDelegation
        /// `name` does not exist, nor a wildcard that would match it (NXDOMAIN).
        case nameError
        /// `name` is a wildcard expansion: no closer name exists (RFC 4035 §5.3.4). `labels`
        /// is the RRSIG label count of the expanded answer.
        case wildcardAnswer(labels: Int)
    }

    /// The proof of `claim` for `name` in `zone` from `records` (NSEC or NSEC3 records of `zone`).
    public static func check(_ claim: Claim, name: DNSName, zone: DNSName, records: [ResourceRecord],
                             budget: ValidationBudget) -> DenialProof {
        let nsec: [(owner: DNSName, nsec: NSEC)] = records.compactMap {
            guard $0.name.isSubdomain(of: zone), case .nsec(let value) = $0.rdata else { return nil }
            return (owner: $0.name, nsec: value)
        }
        if !nsec.isEmpty { return NSECDenial(zone: zone, records: nsec).check(claim, name: name) }
        let nsec3: [(DNSName, NSEC3)] = records.compactMap {
            guard $0.name.parent == zone, case .nsec3(let value) = $0.rdata else { return nil }
            return ($0.name, value)
        }
        guard !nsec3.isEmpty else { return .missing("no NSEC or NSEC3 records from \(zone)") }
        return NSEC3Denial(zone: zone, records: nsec3, budget: budget).check(claim, name: name)
    }
}
