import DNSProto

/// The NSEC or NSEC3 records (with their RRSIGs) that prove a negative part of an answer from
/// a signed zone: RFC 4035 §3.1.3 for NSEC, RFC 5155 §7.2 for NSEC3. Each function returns
/// the records to put in the authority section; duplicates are the caller's to drop.
enum ZoneDenial: Sendable {
    case nsec(NSECChain)
    case nsec3(NSEC3Chain)

    /// The zone's chain: NSEC3 when it has a usable one, else NSEC; nil for neither.
    init?(origin: DNSName, nodes: [DNSName: [RecordType: RRset]], signatures: [DNSName: [RecordType: [ResourceRecord]]]) {
        let signed = { (owner: DNSName, type: RecordType) in signatures[owner]?[type] ?? [] }
        if let chain = NSEC3Chain(origin: origin, nodes: nodes, signatures: signed) {
            self = .nsec3(chain)
        } else if let chain = NSECChain(nodes: nodes, signatures: signed) {
            self = .nsec(chain)
        } else {
            return nil
        }
    }

    /// NXDOMAIN: `name` does not exist, nor does the wildcard at its closest encloser.
    func nameError(_ name: DNSName, closestEncloser: DNSName) -> [ResourceRecord] {
        switch self {
        case .nsec(let chain):
            return chain.covering(name) + chain.covering(Self.wildcard(at: closestEncloser))
        case .nsec3(let chain):
            // RFC 5155 §7.2.2: closest encloser, next closer name, wildcard.
            let proof = chain.closestEncloserProof(name)
            return proof.records + chain.covering(Self.wildcard(at: proof.encloser))
        }
    }

    /// NODATA at a name that exists (or, for NSEC3 opt-out, one the chain skips: a DS query at
    /// an unsigned delegation, RFC 5155 §7.2.4).
    func noData(_ name: DNSName) -> [ResourceRecord] {
        switch self {
        case .nsec(let chain):
            // An empty non-terminal has no NSEC: the one before it proves it (RFC 4035 §3.1.3.2).
            let own = chain.matching(name)
            return own.isEmpty ? chain.covering(name) : own
        case .nsec3(let chain):
            return chain.matching(name) ?? chain.closestEncloserProof(name).records
        }
    }

    /// NODATA from a wildcard: `name` does not exist, and the wildcard that would match it
    /// lacks the type (RFC 4035 §3.1.3.4, RFC 5155 §7.2.5).
    func wildcardNoData(_ name: DNSName, wildcard: DNSName) -> [ResourceRecord] {
        switch self {
        case .nsec(let chain):
            return chain.covering(name) + chain.matching(wildcard)
        case .nsec3(let chain):
            let encloser = wildcard.parent ?? chain.origin
            return (chain.matching(encloser) ?? []) + chain.covering(Self.nextCloser(name, below: encloser))
                + (chain.matching(wildcard) ?? [])
        }
    }

    /// A wildcard expansion: no name closer to `name` than the wildcard exists
    /// (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6).
    func wildcardAnswer(_ name: DNSName, closestEncloser: DNSName) -> [ResourceRecord] {
        switch self {
        case .nsec(let chain): return chain.covering(name)
        case .nsec3(let chain): return chain.covering(Self.nextCloser(name, below: closestEncloser))
        }
    }

    /// A referral to a child without DS: the proof that the parent holds none (RFC 4035
    /// §3.1.4; RFC 5155 §7.2.7, where an opt-out span proves it by covering the cut).
    func unsignedDelegation(_ cut: DNSName) -> [ResourceRecord] { noData(cut) }

    static func wildcard(at encloser: DNSName) -> DNSName {
        (try? encloser.prepending([UInt8(ascii: "*")])) ?? encloser
    }

    /// The ancestor of `name` (or `name`) one label longer than `encloser`.
    static func nextCloser(_ name: DNSName, below encloser: DNSName) -> DNSName {
        name.dropping(labels: max(0, name.labelCount - encloser.labelCount - 1))
    }
}
