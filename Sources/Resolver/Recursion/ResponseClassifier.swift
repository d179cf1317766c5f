import DNSProto

/// Reads one authoritative server's response to a question it was asked as a server of
/// `zone`, keeping only what that server may speak for.
///
/// Bailiwick (cache-poisoning defence, RFC 5452 §6 and Unbound's scrubber): a record is used
/// only when its owner is `zone` or below it. An answer from the servers of `example.alpha.`
/// cannot carry records for `example.beta.`; a referral must go down (the child zone below
/// `zone` and above the name asked), and its glue is taken only for NS names inside `zone`.
/// Everything else in the message is dropped, never cached and never passed on.
enum ResponseClassifier {
    /// A zone cut below the asked server's zone.
    struct Referral: Equatable {
        var delegation: InfrastructureCache.Delegation
        var ttl: UInt32
        /// In-bailiwick glue: NS name -> addresses, with the smallest TTL seen.
        var glue: [DNSName: (addresses: [String], ttl: UInt32)]

        static func == (lhs: Referral, rhs: Referral) -> Bool {
            lhs.delegation == rhs.delegation && lhs.ttl == rhs.ttl && lhs.glue.keys == rhs.glue.keys
        }
    }

    enum Result {
        /// The data asked for, after any CNAME/DNAME links inside the zone (`records` holds
        /// the whole chain in order, with the RRSIGs over each link). `proof` holds the
        /// authority section's NSEC/NSEC3 records and their RRSIGs, which a wildcard answer
        /// needs (RFC 4035 §5.3.4).
        case answer([ResourceRecord], proof: [ResourceRecord])
        /// A CNAME/DNAME chain that leaves what this server answered: go on at `target`.
        case alias([ResourceRecord], target: DNSName)
        /// The (last) name does not exist; `authority` holds the zone's SOA when sent, and the
        /// NSEC/NSEC3 records with their RRSIGs that prove the denial.
        case nxDomain(chain: [ResourceRecord], authority: [ResourceRecord])
        /// The name exists without data of the type.
        case noData(chain: [ResourceRecord], authority: [ResourceRecord])
        case referral(Referral)
        /// Not a usable answer: try another server (the reason is for logs and errors).
        case lame(String)
    }

    static func classify(_ message: Message, name: DNSName, type: RecordType, zone: DNSName) -> Result {
        let rcode = message.rcode
        guard rcode == .noError || rcode == .nxDomain else { return .lame("rcode \(rcode)") }
        func inZone(_ record: ResourceRecord) -> Bool { record.recordClass == .in && record.name.isSubdomain(of: zone) }
        let answers = message.answers.filter(inZone)
        let authority = message.authorities.filter(inZone)
        let soa = authority.filter { $0.type == .soa }
        // What a validator needs of a negative answer: the SOA and the denial, with their RRSIGs.
        let negative = authority.filter { record in
            switch record.rdata {
            case .soa, .nsec, .nsec3: return true
            case .rrsig(let rrsig): return [.soa, .nsec, .nsec3].contains(rrsig.typeCovered)
            default: return false
            }
        }
        func signatures(_ owner: DNSName, _ covered: RecordType) -> [ResourceRecord] {
            answers.filter { record in
                guard record.name == owner, case .rrsig(let rrsig) = record.rdata else { return false }
                return rrsig.typeCovered == covered
            }
        }

        // Follow the chain inside this answer.
        var chain: [ResourceRecord] = []
        var current = name
        for _ in 0..<16 {
            let data = answers.filter { $0.name == current && $0.type == type }
            if !data.isEmpty {
                return .answer(chain + data + signatures(current, type),
                               proof: negative.filter { $0.type != .soa && !isSOASignature($0) })
            }
            if let dname = answers.first(where: { record in
                guard case .dname = record.rdata else { return false }
                return current.isSubdomain(of: record.name) && current != record.name
            }), case .dname(let target) = dname.rdata {
                // RFC 6672 §3: replace the DNAME owner suffix by its target; a CNAME is synthesized.
                let prefix = current.labels.prefix(current.labelCount - dname.name.labelCount)
                guard let synthesized = try? DNSName(labels: Array(prefix) + target.labels) else {
                    return .lame("DNAME substitution of \(current) is too long")
                }
                chain.append(dname)
                chain += signatures(dname.name, .dname)
                chain.append(ResourceRecord(name: current, type: .cname, ttl: dname.ttl, rdata: .cname(synthesized)))
                current = synthesized
                continue
            }
            if let cname = answers.first(where: { $0.name == current && $0.type == .cname }),
               case .cname(let target) = cname.rdata {
                chain.append(cname)
                chain += signatures(current, .cname)
                current = target
                continue
            }
            break
        }
        if !chain.isEmpty {
            // The server answered as far as its data goes; the rest is its negative answer only
            // when the last name is in its zone, else another zone's business.
            if current.isSubdomain(of: zone) {
                if rcode == .nxDomain { return .nxDomain(chain: chain, authority: negative) }
                if !soa.isEmpty || message.header.authoritative { return .noData(chain: chain, authority: negative) }
            }
            return .alias(chain, target: current)
        }
        if rcode == .nxDomain { return .nxDomain(chain: [], authority: negative) }

        // A referral: NS records for a zone below `zone`, at or above the name asked.
        let cuts = authority.filter { $0.type == .ns && $0.name != zone && name.isSubdomain(of: $0.name) }
        if let child = cuts.first?.name, !message.header.authoritative || soa.isEmpty {
            let records = cuts.filter { $0.name == child }
            var servers: [DNSName] = []
            for record in records {
                if case .ns(let target) = record.rdata, !servers.contains(target) { servers.append(target) }
            }
            var glue: [DNSName: (addresses: [String], ttl: UInt32)] = [:]
            for record in message.additionals where record.recordClass == .in && servers.contains(record.name)
                && record.name.isSubdomain(of: zone) {
                let address: String
                switch record.rdata {
                case .a(let v4): address = v4.description
                case .aaaa(let v6): address = v6.description
                default: continue
                }
                var entry = glue[record.name] ?? ([], record.ttl)
                if !entry.addresses.contains(address) { entry.addresses.append(address) }
                entry.ttl = min(entry.ttl, record.ttl)
                glue[record.name] = entry
            }
            let ttl = records.map(\.ttl).min() ?? 0
            return .referral(Referral(delegation: .init(zone: child, nameServers: servers), ttl: ttl, glue: glue))
        }
        if !soa.isEmpty || message.header.authoritative { return .noData(chain: [], authority: negative) }
        if message.authorities.contains(where: { $0.type == .ns }) {
            return .lame("referral that does not lead below \(zone)")
        }
        return .lame("empty answer without authority")
    }

    private static func isSOASignature(_ record: ResourceRecord) -> Bool {
        if case .rrsig(let rrsig) = record.rdata { return rrsig.typeCovered == .soa }
        return false
    }
}
