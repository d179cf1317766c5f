import NIOCore

/// How the `recurse` plugin resolves: where it starts, how it talks to servers and the
/// limits that stop abusive or broken delegations (see docs/recursion.md for the defaults
/// and why they are what they are).
public struct RecursionSettings: Sendable {
    /// The root servers to start from (built-in IANA hints unless a hints file is configured).
    public var hints: RootHints
    /// The destination port of every authoritative server (53). Only tests change it, so a
    /// whole test hierarchy can live on 127.0.x.y addresses at one unprivileged port.
    public var port: Int = 53
    /// Ask servers over IPv6 as well as IPv4.
    public var ipv6: Bool = true
    /// Wait for a server not measured yet; measured ones get a timeout from their smoothed RTT,
    /// never more than this.
    public var timeout: TimeAmount = .milliseconds(1000)
    /// RFC 9156 QNAME minimisation (with the relaxed fallback to the full name).
    public var qnameMinimisation: Bool = true
    /// DNS 0x20: random letter case in the names sent, checked on every answer.
    public var caseRandomization: Bool = true
    /// The UDP payload size advertised to authoritative servers (RFC 6891; 1232 avoids fragments).
    public var ednsUDPSize: UInt16 = 1232
    /// Most entries (delegations plus server address sets) of the infrastructure cache.
    public var infrastructureCacheSize: Int = 100_000
    /// Per-client-query limits.
    public var limits = RecursionLimits()
    /// Resolutions running at once, all event loops together (Unbound runs 1024 per thread).
    public var maxConcurrent: Int = 1000
    /// DNSSEC validation of every answer (docs/dnssec.md).
    public var dnssec: DNSSECMode = .validate
    /// Where chains of trust start (the root KSKs unless a trust anchor file is configured).
    public var trustAnchors: TrustAnchors = .builtInRoot
    /// Signature checks and NSEC3 hashes one client query may cost.
    public var validationLimits: ValidationBudget.Limits = .default

    public init(hints: RootHints = .builtIn) {
        self.hints = hints
    }
}

/// What one client query may cost at most. Exceeding any limit ends the resolution with
/// SERVFAIL and an extended DNS error (RFC 8914) naming the limit, never with runaway work
/// (the NXNSAttack defence: bounded NS-name fetches, bounded queries, bounded time).
public struct RecursionLimits: Sendable, Equatable {
    /// Referrals followed for one client query, CNAME targets and NS address lookups included.
    public var maxReferrals: Int = 30
    /// NS names without usable glue whose addresses are looked up per delegation (NXNSAttack:
    /// a referral with hundreds of glueless NS names must not turn into hundreds of lookups).
    public var maxNSFetches: Int = 5
    /// Queries sent to authoritative servers for one client query, sub-queries included.
    public var maxQueries: Int = 100
    /// Wall-clock time for one client query.
    public var timeBudget: TimeAmount = .seconds(4)
    /// CNAME/DNAME links followed.
    public var maxCNAMEs: Int = 12
    /// Nesting of NS address lookups (an NS name whose servers have glueless NS names ...).
    public var maxNesting: Int = 4

    public init() {}
}

/// Whether `recurse` validates DNSSEC (`dnssec: validate|off`).
public enum DNSSECMode: String, Sendable, CaseIterable {
    /// Ask with DO, check every answer from the trust anchor down: AD on secure answers,
    /// SERVFAIL with an extended error on bogus ones.
    case validate
    /// Plain resolution: no DO upstream, no AD, nothing is checked.
    case off
}
