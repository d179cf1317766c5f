import DNSProto

/// What the zone data says about one name and type (RFC 1034 §4.3.2, as an authority).
enum ZoneLookupResult {
    case answer([ResourceRecord])
    /// A CNAME (or DNAME plus its synthesized CNAME) to follow to `target`.
    case alias([ResourceRecord], target: DNSName)
    case noData
    case nameError
    /// The name is at or below a zone cut: refer to the child's servers.
    case referral(RRset)
}

extension AuthoritativeZone {
    /// Longest CNAME/DNAME chain followed inside the zone before giving up (loops end here too).
    static let maxAliasChain = 12

    /// Builds the full authoritative response to `query`, whose name is in this zone.
    public func answer(_ query: Message) -> Message {
        var response = Message.response(to: query)
        guard let question = query.question else { return response }
        response.header.authoritative = true
        var name = question.name
        var visited: Set<DNSName> = []
        for _ in 0..<Self.maxAliasChain {
            switch lookup(name, question.type) {
            case .answer(let records):
                response.answers += records
                response.additionals += additionalAddresses(for: records)
                return response
            case .alias(let records, let target):
                response.answers += records
                visited.insert(name)
                // A target outside this zone (or a loop) is left for the client's resolver.
                guard target.isSubdomain(of: origin), !visited.contains(target) else { return response }
                name = target
            case .noData:
                response.authorities.append(negativeSOA)
                return response
            case .nameError:
                // RFC 6604: the rcode describes the last name in the chain.
                response.rcode = .nxDomain
                response.authorities.append(negativeSOA)
                return response
            case .referral(let ns):
                // A referral is not authoritative data, unless an in-zone alias led here.
                response.header.authoritative = !response.answers.isEmpty
                let nsRecords = ns.records()
                response.authorities += nsRecords
                response.additionals += additionalAddresses(for: nsRecords)
                return response
            }
        }
        return response
    }

    /// One step of the lookup for `name`, which must be at or below the origin.
    func lookup(_ name: DNSName, _ type: RecordType) -> ZoneLookupResult {
        if let early = cutOrDNAME(above: name, type: type) { return early }
        if let sets = nodes[name] { return select(sets, owner: name, type: type) }
        if existing.contains(name) { return .noData }  // an empty non-terminal
        // RFC 4592 §3.3.1: the wildcard at the closest encloser may synthesize an answer.
        var encloser = name.parent
        while let candidate = encloser, !existing.contains(candidate) { encloser = candidate.parent }
        if let closest = encloser, let source = try? closest.prepending([UInt8(ascii: "*")]), let sets = nodes[source] {
            return select(sets, owner: name, type: type)
        }
        return .nameError
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
            return .nameError
        }
        let cname = ResourceRecord(name: name, type: .cname, recordClass: dname.recordClass, ttl: dname.ttl, rdata: .cname(newName))
        return .alias(dname.records() + [cname], target: newName)
    }

    private func select(_ sets: [RecordType: RRset], owner: DNSName, type: RecordType) -> ZoneLookupResult {
        if type == .any {
            // RFC 8482 §4.2: answer ANY with one RRset rather than all of them.
            if let first = sets.keys.filter({ $0 != .rrsig }).min(), let set = sets[first] {
                return .answer(set.records(owner: owner))
            }
            return .noData
        }
        if let set = sets[type] { return .answer(set.records(owner: owner)) }
        if let cname = sets[.cname], case .cname(let target)? = cname.rdatas.first {
            return .alias(cname.records(owner: owner), target: target)
        }
        return .noData
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
