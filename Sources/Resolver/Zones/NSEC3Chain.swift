import DNSProto

/// A signed zone's NSEC3 records ordered by hash, each with its RRSIGs, for the proofs of
/// RFC 5155 §7.2. The hash parameters are the apex NSEC3PARAM's (else the first NSEC3's);
/// records made with other parameters (a chain being replaced) are left out.
struct NSEC3Chain: Sendable {
    let origin: DNSName
    let salt: [UInt8]
    let iterations: UInt16
    /// Hashes in ascending order, and the NSEC3 + RRSIG records of each.
    private let hashes: [[UInt8]]
    private let proofs: [[UInt8]: [ResourceRecord]]

    init?(origin: DNSName, nodes: [DNSName: [RecordType: RRset]], signatures: (DNSName, RecordType) -> [ResourceRecord]) {
        var chain: [(hash: [UInt8], owner: DNSName, nsec3: NSEC3, set: RRset)] = []
        for (owner, sets) in nodes {
            guard let set = sets[.nsec3], owner.parent == origin, case .nsec3(let nsec3)? = set.rdatas.first,
                  nsec3.hashAlgorithm == 1, let label = owner.labels.first,
                  let hash = Base32HexEncoding.decode(String(decoding: label, as: UTF8.self)) else { continue }
            chain.append((hash: hash, owner: owner, nsec3: nsec3, set: set))
        }
        guard let first = chain.first?.nsec3 else { return nil }
        let parameters: (salt: [UInt8], iterations: UInt16) =
            nodes[origin]?[.nsec3param].flatMap { Self.parameters($0) } ?? (first.salt, first.iterations)
        var proofs: [[UInt8]: [ResourceRecord]] = [:]
        for link in chain where link.nsec3.salt == parameters.salt && link.nsec3.iterations == parameters.iterations {
            proofs[link.hash] = link.set.records() + signatures(link.owner, .nsec3)
        }
        guard !proofs.isEmpty else { return nil }
        self.origin = origin
        salt = parameters.salt
        iterations = parameters.iterations
        self.proofs = proofs
        hashes = proofs.keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    private static func parameters(_ set: RRset) -> (salt: [UInt8], iterations: UInt16)? {
        guard case .unknown(let bytes)? = set.rdatas.first, let parameters = NSEC3PARAM(rdata: bytes),
              parameters.hashAlgorithm == 1 else { return nil }
        return (parameters.salt, parameters.iterations)
    }

    func hash(_ name: DNSName) -> [UInt8] { NSEC3Hash.hash(name, salt: salt, iterations: iterations) }

    /// The NSEC3 whose owner hash is `name`'s, if there is one.
    func matching(_ name: DNSName) -> [ResourceRecord]? { proofs[hash(name)] }

    /// The NSEC3 whose span holds `name`'s hash: the last hash below it, wrapping to the last
    /// of the chain for a hash below the first.
    func covering(_ name: DNSName) -> [ResourceRecord] {
        proofs[hashes[hashes.predecessorIndex(of: hash(name)) { $0.lexicographicallyPrecedes($1) }]]!
    }

    /// The closest provable encloser proof for `name` (RFC 5155 §7.2.1): the NSEC3 matching the
    /// nearest ancestor that has one, and the NSEC3 covering the next closer name below it.
    /// Also returns that encloser, whose wildcard a name error must deny.
    func closestEncloserProof(_ name: DNSName) -> (encloser: DNSName, records: [ResourceRecord]) {
        var nextCloser = name
        var candidate = name.parent
        while let encloser = candidate, encloser.isSubdomain(of: origin) {
            if let match = matching(encloser) { return (encloser, match + covering(nextCloser)) }
            nextCloser = encloser
            candidate = encloser.parent
        }
        return (origin, covering(nextCloser))
    }
}
