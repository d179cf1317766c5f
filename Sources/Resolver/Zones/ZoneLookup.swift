import DNSProto

/// What the zone data says about one name and type (RFC 1034 §4.3.2, as an authority).
/// `wildcard` names the wildcard owner (RFC 4592) the answer was synthesized from: its
/// RRSIGs sign the expansion, and a signed zone must prove no closer name exists.
enum ZoneLookupResult {
    case answer([ResourceRecord], wildcard: DNSName?)
    /// A CNAME (or DNAME plus its synthesized CNAME) to follow to `target`.
    case alias([ResourceRecord], target: DNSName, wildcard: DNSName?)
    case noData(wildcard: DNSName?)
    /// `closestEncloser`: the deepest ancestor of the name that exists.
    case nameError(closestEncloser: DNSName)
    /// The name is at or below a zone cut: refer to the child's servers.
    case referral(RRset)
}

extension AuthoritativeZone {
    /// Longest CNAME/DNAME chain followed inside the zone before giving up (loops end here too).
    static let maxAliasChain = 12

    /// Builds the full authoritative response to `query`, whose name is in this zone. For a
    /// query with DO, a signed zone's RRSIGs and denial proofs are added (RFC 4035 §3.1);
    /// without DO none are (the types RRSIG, NSEC and NSEC3 only when asked for).
    public func answer(_ query: Message) -> Message {
        var response = Message.response(to: query)
        guard let question = query.question else { return response }
        response.header.authoritative = true
        let dnssec = query.edns?.dnssecOK == true ? self.dnssec : nil
        var name = question.name
        var visited: Set<DNSName> = []
        for _ in 0..<Self.maxAliasChain {
            switch lookup(name, question.type) {
            case .answer(let records, let wildcard):
                response.answers += records
                let additional = additionalAddresses(for: records)
                response.additionals += additional
                if let dnssec {
                    appendSignatures(of: records, for: name, wildcard: wildcard, to: &response, dnssec)
                    response.additionals += dnssec.signatures(for: additional)
                }
                return response
            case .alias(let records, let target, let wildcard):
                response.answers += records
                if let dnssec { appendSignatures(of: records, for: name, wildcard: wildcard, to: &response, dnssec) }
                visited.insert(name)
                // A target outside this zone (or a loop) is left for the client's resolver.
                guard target.isSubdomain(of: origin), !visited.contains(target) else { return response }
                name = target
            case .noData(let wildcard):
                appendNegativeSOA(to: &response, dnssec)
                if let denial = dnssec?.denial {
                    response.authorities.appendNew(wildcard.map { denial.wildcardNoData(name, wildcard: $0) } ?? denial.noData(name))
                }
                return response
            case .nameError(let encloser):
                // RFC 6604: the rcode describes the last name in the chain.
                response.rcode = .nxDomain
                appendNegativeSOA(to: &response, dnssec)
                response.authorities.appendNew(dnssec?.denial?.nameError(name, closestEncloser: encloser))
                return response
            case .referral(let ns):
                // A referral is not authoritative data, unless an in-zone alias led here.
                response.header.authoritative = !response.answers.isEmpty
                let nsRecords = ns.records()
                response.authorities += nsRecords
                if let dnssec {
                    // RFC 4035 §3.1.4: the child's DS with its RRSIGs, or the proof there is none.
                    if let ds = rrset(ns.name, .ds) {
                        response.authorities += ds.records() + dnssec.signatures(ns.name, .ds)
                    } else {
                        response.authorities.appendNew(dnssec.denial?.unsignedDelegation(ns.name))
                    }
                }
                response.additionals += additionalAddresses(for: nsRecords)
                return response
            }
        }
        return response
    }

    /// The RRSIGs of `records`, the answer for `name`; for a wildcard expansion also the proof
    /// that no closer name exists (RFC 4035 §3.1.3.3).
    private func appendSignatures(of records: [ResourceRecord], for name: DNSName, wildcard: DNSName?,
                                  to response: inout Message, _ dnssec: ZoneDNSSEC) {
        response.answers += dnssec.signatures(for: records, expanded: name, wildcard: wildcard)
        if let wildcard, let encloser = wildcard.parent {
            response.authorities.appendNew(dnssec.denial?.wildcardAnswer(name, closestEncloser: encloser))
        }
    }

    /// The SOA of a negative answer, with its RRSIGs for DO. The RRSIGs take the SOA's
    /// negative TTL too: they are cached with it as the denial (NSD does the same).
    private func appendNegativeSOA(to response: inout Message, _ dnssec: ZoneDNSSEC?) {
        let soa = negativeSOA
        response.authorities.append(soa)
        for var signature in dnssec?.signatures(origin, .soa) ?? [] {
            signature.ttl = min(signature.ttl, soa.ttl)
            response.authorities.append(signature)
        }
    }

    /// One step of the lookup for `name`, which must be at or below the origin.
    func lookup(_ name: DNSName, _ type: RecordType) -> ZoneLookupResult {
        if let early = cutOrDNAME(above: name, type: type) { return early }
        if let sets = nodes[name] { return select(sets, owner: name, type: type, wildcard: nil) }
        if existing.contains(name) { return .noData(wildcard: nil) }  // an empty non-terminal
        // RFC 4592 §3.3.1: the wildcard at the closest encloser may synthesize an answer.
        var encloser = name.parent
        while let candidate = encloser, !existing.contains(candidate) { encloser = candidate.parent }
        guard let closest = encloser else { return .nameError(closestEncloser: origin) }
        if let source = try? closest.prepending([UInt8(ascii: "*")]), let sets = nodes[source] {
            return select(sets, owner: name, type: type, wildcard: source)
        }
        return .nameError(closestEncloser: closest)
    }

    /// Zone cuts and DNAMEs on the way from the apex down to `name`.
    private func cutOrDNAME(above name: DNSName, type: RecordType) -> ZoneLookupResult? {
        let depth = name.labelCount - origin.labelCount
        guard depth > 0 else { return nil }
        for level in 0...depth {
            let ancestor = name.dropping(labels: depth - level)
            guard let sets = nodes[ancestor] else { continue }
            if level > 0, let ns = sets[.ns], !(ancestor == name && type == .ds) {
                // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1).
                return .referral(ns)
            }
            if ancestor != name, let dname = sets[.dname], case .dname(let target)? = dname.rdatas.first {
                return synthesizeCNAME(for: name, dname: dname, ancestor: ancestor, target: target)
            }
        }
        return nil
    }

    /// RFC 6672 §2.2: replace the DNAME owner suffix of `name` with its target.
    private func synthesizeCNAME(for name: DNSName, dname: RRset, ancestor: DNSName, target: DNSName) -> ZoneLookupResult {
        let prefix = name.labels.prefix(name.labelCount - ancestor.labelCount)
        guard let newName = try? DNSName(labels: prefix.map { Array($0) } + target.labels.map { Array($0) }) else {
            // RFC 6672 §2.2: the substitution is too long: YXDOMAIN; treat as no such name.
            return .nameError(closestEncloser: ancestor)
        }
        let cname = ResourceRecord(name: name, type: .cname, recordClass: dname.recordClass, ttl: dname.ttl, rdata: .cname(newName))
        return .alias(dname.records() + [cname], target: newName, wildcard: nil)
    }

    private func select(_ sets: [RecordType: RRset], owner: DNSName, type: RecordType, wildcard: DNSName?) -> ZoneLookupResult {
        if type == .any {
            // RFC 8482 §4.2: answer ANY with one RRset rather than all of them.
            if let first = sets.keys.filter({ $0 != .rrsig }).min(), let set = sets[first] {
                return .answer(set.records(owner: owner), wildcard: wildcard)
            }
            return .noData(wildcard: wildcard)
        }
        if let set = sets[type] { return .answer(set.records(owner: owner), wildcard: wildcard) }
        if let cname = sets[.cname], case .cname(let target)? = cname.rdatas.first {
            return .alias(cname.records(owner: owner), target: target, wildcard: wildcard)
        }
        return .noData(wildcard: wildcard)
    }

    /// A and AAAA records held in this zone (glue included) for the names that NS, MX and SRV
    /// records point to (RFC 1035 §3.3 "additional section processing").
    func additionalAddresses(for records: [ResourceRecord]) -> [ResourceRecord] {
        var out: [ResourceRecord] = []
        var seen: Set<DNSName> = []
        for record in records {
            let target: DNSName
            switch record.rdata {
            case .ns(let name): target = name
            case .mx(let mx): target = mx.exchange
            case .srv(let srv): target = srv.target
            default: continue
            }
            guard target.isSubdomain(of: origin), seen.insert(target).inserted, let sets = nodes[target] else { continue }
            for type in [RecordType.a, .aaaa] {
                if let set = sets[type] { out += set.records() }
            }
        }
        return out
    }
}

private extension Array where Element == ResourceRecord {
    /// Appends the records not already present: the proofs of the steps of an alias chain,
    /// and those of one step, share NSEC/NSEC3 records.
    mutating func appendNew(_ records: [ResourceRecord]?) {
        for record in records ?? [] where !contains(record) { append(record) }
    }
}
