import DNSProto

/// Denial of existence with NSEC (RFC 4035 §3.1.3, §5.4; RFC 6840 §4.1, §4.3).
struct NSECDenial {
    let zone: DNSName
    let records: [(owner: DNSName, nsec: NSEC)]

    func check(_ claim: DenialProof.Claim, name: DNSName) -> DenialProof {
        switch claim {
        case .noData(let type):
            if let match = records.first(where: { $0.owner == name }) {
                return Self.lacks(match.nsec.types, type) ? .proven
                    : .missing("the NSEC at \(name) lists \(type) or CNAME")
            }
            // An empty non-terminal: the NSEC before it points below it (RFC 4035 §3.1.3.2).
            if records.contains(where: { covers($0, name) && $0.nsec.nextDomainName.isSubdomain(of: name) }) {
                return .proven
            }
            // A wildcard NODATA: the name itself is covered, the wildcard exists without the type.
            guard let encloser = closestEncloser(name) else { return .missing("no NSEC covers \(name)") }
            let wildcard = (try? encloser.prepending([UInt8(ascii: "*")])) ?? encloser
            guard let match = records.first(where: { $0.owner == wildcard }) else {
                return .missing("no NSEC proves \(name) has no \(type)")
            }
            return Self.lacks(match.nsec.types, type) ? .proven : .missing("the NSEC at \(wildcard) lists \(type)")
        case .insecureDelegation:
            guard let match = records.first(where: { $0.owner == name }) else {
                return .missing("no NSEC at \(name) proves an unsigned delegation")
            }
            let types = match.nsec.types
            return types.contains(.ns) && !types.contains(.ds) && !types.contains(.soa) ? .proven
                : .missing("the NSEC at \(name) does not show a delegation without DS")
        case .nameError:
            guard let encloser = closestEncloser(name) else { return .missing("no NSEC covers \(name)") }
            let wildcard = (try? encloser.prepending([UInt8(ascii: "*")])) ?? encloser
            guard records.contains(where: { covers($0, wildcard) }) else {
                return .missing("no NSEC proves that \(wildcard) does not exist")
            }
            return .proven
        case .wildcardAnswer(let labels):
            // No name closer than the wildcard's parent exists (RFC 4035 §5.3.4): the next
            // closer name, one label below that parent toward `name`, is covered.
            let nextCloser = name.dropping(labels: max(0, name.labelCount - labels - 1))
            guard records.contains(where: { covers($0, nextCloser) }) else {
                return .missing("no NSEC proves that \(nextCloser) does not exist beside the wildcard")
            }
            return .proven
        }
    }

    /// The deepest ancestor of `name` proved to exist by the NSEC that covers `name`: the longer
    /// of the names it shares with the NSEC's owner and with its next name (RFC 4035 §5.4).
    private func closestEncloser(_ name: DNSName) -> DNSName? {
        guard let cover = records.first(where: { covers($0, name) }) else { return nil }
        let fromOwner = Self.commonAncestor(name, cover.owner)
        let fromNext = Self.commonAncestor(name, cover.nsec.nextDomainName)
        let encloser = fromOwner.labelCount >= fromNext.labelCount ? fromOwner : fromNext
        return encloser.isSubdomain(of: zone) ? encloser : zone
    }

    /// Whether the NSEC's span (owner, next) holds `name` strictly. The last NSEC of a zone
    /// wraps to the apex. An NSEC at a delegation point (NS without SOA) or a DNAME owner
    /// above `name` proves nothing below it (RFC 6840 §4.1).
    func covers(_ record: (owner: DNSName, nsec: NSEC), _ name: DNSName) -> Bool {
        let owner = record.owner, next = record.nsec.nextDomainName
        if name != owner && name.isSubdomain(of: owner) {
            let types = record.nsec.types
            if (types.contains(.ns) && !types.contains(.soa)) || types.contains(.dname) { return false }
        }
        if owner < next { return owner < name && name < next }
        return owner < name || name < next
    }

    static func lacks(_ types: TypeBitmap, _ type: RecordType) -> Bool {
        if types.contains(type) || types.contains(.cname) { return false }
        // DS is the parent's: an NSEC from the child's apex (SOA set) says nothing about it.
        if type == .ds && types.contains(.soa) { return false }
        return true
    }

    static func commonAncestor(_ a: DNSName, _ b: DNSName) -> DNSName {
        var candidate = a
        while !b.isSubdomain(of: candidate), let parent = candidate.parent { candidate = parent }
        return candidate
    }
}
