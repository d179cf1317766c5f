import DNSProto

/// The data of one zone we are authoritative for, indexed for lookups, and checked for
/// the mistakes that make a zone unservable.
///
/// Built once from parsed records (immutable afterwards, so lookups need no lock); an edit
/// builds a new value and swaps it in.
public struct AuthoritativeZone: Sendable {
    public let origin: DNSName
    public let soa: RRset
    /// Owner -> its RRsets by type.
    let nodes: [DNSName: [RecordType: RRset]]
    /// Every name that exists: owners and their ancestors up to the origin, so empty
    /// non-terminals count as existing (RFC 4592 §2.2.2).
    let existing: Set<DNSName>
    /// Names below the apex that hold NS: zone cuts.
    let delegations: Set<DNSName>
    /// The records as loaded, in file order.
    public let records: [ResourceRecord]
    /// RRSIGs and the NSEC/NSEC3 chain of a pre-signed zone; nil for an unsigned one.
    let dnssec: ZoneDNSSEC?

    /// Builds and checks a zone. `locations` (parallel to `records`, may be empty) let errors
    /// point at the offending line.
    public init(origin: DNSName, records: [ResourceRecord], locations: [SourceLocation] = []) throws {
        func location(_ index: Int) -> SourceLocation {
            index < locations.count ? locations[index] : SourceLocation(file: "\(origin)", line: 0, column: 0)
        }
        var nodes: [DNSName: [RecordType: RRset]] = [:]
        var firstIndex: [DNSName: [RecordType: Int]] = [:]
        for (index, record) in records.enumerated() {
            guard record.name.isSubdomain(of: origin) else {
                throw PresentationError("owner \(record.name) is outside zone \(origin)", at: location(index))
            }
            if var existing = nodes[record.name]?[record.type] {
                if existing.rdatas.contains(record.rdata) { continue }  // RFC 2181 §5: a set has no duplicates
                existing.rdatas.append(record.rdata)
                // RFC 2181 §5.2: differing TTLs in one RRset are an error; use the lowest, as BIND does.
                existing.ttl = min(existing.ttl, record.ttl)
                nodes[record.name]![record.type] = existing
            } else {
                nodes[record.name, default: [:]][record.type] = RRset(
                    name: record.name, type: record.type, recordClass: record.recordClass, ttl: record.ttl, rdatas: [record.rdata])
                firstIndex[record.name, default: [:]][record.type] = index
            }
        }
        guard let apex = nodes[origin], let soa = apex[.soa] else {
            throw PresentationError("zone \(origin) has no SOA record at its apex", at: location(0))
        }
        guard soa.rdatas.count == 1 else {
            throw PresentationError("zone \(origin) has \(soa.rdatas.count) SOA records; exactly one is allowed",
                                    at: location(firstIndex[origin]?[.soa] ?? 0))
        }
        var existing: Set<DNSName> = []
        var delegations: Set<DNSName> = []
        for (name, sets) in nodes {
            if let soaIndex = firstIndex[name]?[.soa], name != origin {
                throw PresentationError("SOA record at \(name), which is not the zone apex \(origin)", at: location(soaIndex))
            }
            if sets[.cname] != nil {
                // RFC 2181 §10.1: a CNAME owner holds nothing else (DNSSEC records aside).
                let others = sets.keys.filter { $0 != .cname && $0 != .rrsig && $0 != .nsec && $0 != .nsec3 }
                if let other = others.min() {
                    throw PresentationError("\(name) has a CNAME and \(other) data; a CNAME must stand alone",
                                            at: location(firstIndex[name]?[other] ?? 0))
                }
                if sets[.cname]!.rdatas.count > 1 {
                    throw PresentationError("\(name) has more than one CNAME", at: location(firstIndex[name]?[.cname] ?? 0))
                }
            }
            if name != origin, sets[.ns] != nil { delegations.insert(name) }
            var cursor: DNSName? = name
            while let current = cursor, current.isSubdomain(of: origin), !existing.contains(current) {
                existing.insert(current)
                cursor = current.parent
            }
        }
        self.origin = origin
        self.soa = soa
        self.nodes = nodes
        self.existing = existing
        self.delegations = delegations
        self.records = records
        dnssec = ZoneDNSSEC(origin: origin, records: records, nodes: nodes)
    }

    /// Whether the zone is DNSSEC-signed (a DNSKEY RRset at the apex and RRSIGs): its data
    /// cannot change without re-signing, which dnsd does not do.
    public var isSigned: Bool { dnssec?.isSigned ?? false }

    /// The SOA record, for negative answers (RFC 2308 §3: TTL is min(SOA TTL, MINIMUM)).
    public var negativeSOA: ResourceRecord {
        var record = soa.records()[0]
        if case .soa(let data) = record.rdata { record.ttl = min(record.ttl, data.minimum) }
        return record
    }

    public var serial: UInt32 {
        if case .soa(let data) = soa.rdatas[0] { return data.serial }
        return 0
    }

    func rrset(_ name: DNSName, _ type: RecordType) -> RRset? { nodes[name]?[type] }
}
