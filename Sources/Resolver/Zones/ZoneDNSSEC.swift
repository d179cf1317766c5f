import DNSProto

/// The DNSSEC data of a zone loaded pre-signed (dnssec-signzone, ldns-signzone, Knot): its
/// RRSIGs filed by the RRset they cover, and its NSEC or NSEC3 chain, so an answer to a DO
/// query can carry the signatures and denial proofs of RFC 4035 §3.1 and RFC 5155 §7.2.
/// dnsd signs nothing itself: what the file holds is what is served.
struct ZoneDNSSEC: Sendable {
    /// RRSIG records by owner and covered type, each with the TTL the file gave it.
    private let rrsigs: [DNSName: [RecordType: [ResourceRecord]]]
    /// How the zone proves that names and types do not exist; nil when it has neither chain.
    let denial: ZoneDenial?
    /// A DNSKEY RRset at the apex and RRSIGs: a zone whose data must not change without
    /// re-signing (so live edits are refused).
    let isSigned: Bool

    /// nil when the zone holds no RRSIG at all (an unsigned zone answers as before).
    init?(origin: DNSName, records: [ResourceRecord], nodes: [DNSName: [RecordType: RRset]]) {
        var signatures: [DNSName: [RecordType: [ResourceRecord]]] = [:]
        for record in records {
            guard case .rrsig(let rrsig) = record.rdata, record.name.isSubdomain(of: origin) else { continue }
            var filed = signatures[record.name, default: [:]][rrsig.typeCovered, default: []]
            guard !filed.contains(where: { $0.rdata == record.rdata }) else { continue }
            filed.append(record)
            signatures[record.name, default: [:]][rrsig.typeCovered] = filed
        }
        guard !signatures.isEmpty else { return nil }
        rrsigs = signatures
        isSigned = nodes[origin]?[.dnskey] != nil
        denial = ZoneDenial(origin: origin, nodes: nodes, signatures: signatures)
    }

    /// The RRSIGs covering `type` at `owner`, renamed to `name` (a wildcard's expansion keeps
    /// the wildcard's label count in the RRSIG, which is how a validator sees the expansion).
    func signatures(_ owner: DNSName, _ type: RecordType, as name: DNSName? = nil) -> [ResourceRecord] {
        let found = rrsigs[owner]?[type] ?? []
        guard let name else { return found }
        return found.map { ResourceRecord(name: name, type: $0.type, recordClass: $0.recordClass, ttl: $0.ttl, rdata: $0.rdata) }
    }

    /// The RRSIGs for each RRset in `records`. Records owned by `expanded` were synthesized from
    /// `wildcard` and take its signatures.
    func signatures(for records: [ResourceRecord], expanded: DNSName? = nil, wildcard: DNSName? = nil) -> [ResourceRecord] {
        var seen: Set<RRsetKey> = []
        var out: [ResourceRecord] = []
        for record in records where seen.insert(RRsetKey(name: record.name, type: record.type)).inserted {
            if let wildcard, record.name == expanded {
                out += signatures(wildcard, record.type, as: record.name)
            } else {
                out += signatures(record.name, record.type)
            }
        }
        return out
    }

    private struct RRsetKey: Hashable {
        var name: DNSName
        var type: RecordType
    }
}
