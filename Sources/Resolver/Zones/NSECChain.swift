import DNSProto

/// A signed zone's NSEC records in canonical order (RFC 4034 §6.1), each with its RRSIGs,
/// for the denial proofs of RFC 4035 §3.1.3.
struct NSECChain: Sendable {
    /// Owners in canonical order, and the NSEC + RRSIG records at each.
    private let owners: [DNSName]
    private let proofs: [DNSName: [ResourceRecord]]

    init?(nodes: [DNSName: [RecordType: RRset]], signatures: (DNSName, RecordType) -> [ResourceRecord]) {
        var proofs: [DNSName: [ResourceRecord]] = [:]
        for (owner, sets) in nodes {
            guard let nsec = sets[.nsec] else { continue }
            proofs[owner] = nsec.records() + signatures(owner, .nsec)
        }
        guard !proofs.isEmpty else { return nil }
        self.proofs = proofs
        owners = proofs.keys.sorted()
    }

    /// The NSEC at `name` itself, if the name has one.
    func matching(_ name: DNSName) -> [ResourceRecord] { proofs[name] ?? [] }

    /// The NSEC whose span holds `name`: the last owner before it in canonical order (the
    /// apex is first, so an in-zone name always has one). A name that has its own NSEC gets
    /// that one, which is what a wildcard NODATA needs from the wildcard's owner.
    func covering(_ name: DNSName) -> [ResourceRecord] {
        if let own = proofs[name] { return own }
        return proofs[owners[owners.predecessorIndex(of: name, by: <)]]!
    }
}
