import DNSProto

/// Denial of existence with NSEC3 (RFC 5155 §8; opt-out §6; RFC 9276 iteration limit).
/// Every hash is taken from the `ValidationBudget` (iterations + 1 each), and hashes are
/// memoized per name, so a hostile answer cannot make one query hash without bound.
final class NSEC3Denial {
    let zone: DNSName
    /// Owner hash (raw octets) and record, for hash algorithm 1 with the zone's parameters.
    private let records: [(hash: [UInt8], nsec3: NSEC3)]
    private let budget: ValidationBudget
    private var hashes: [DNSName: [UInt8]] = [:]
    private var exhausted = false

    init(zone: DNSName, records: [(DNSName, NSEC3)], budget: ValidationBudget) {
        self.zone = zone
        self.budget = budget
        // All NSEC3s of a zone share the parameters of its NSEC3PARAM; the first one's are used
        // and records with others ignored (RFC 5155 §8.2).
        let first = records.first?.1
        self.records = records.compactMap { owner, nsec3 in
            guard nsec3.hashAlgorithm == 1, nsec3.iterations == first?.iterations, nsec3.salt == first?.salt,
                  let label = owner.labels.first,
                  let hash = Base32HexEncoding.decode(String(decoding: label, as: UTF8.self)) else { return nil }
            return (hash: hash, nsec3: nsec3)
        }
    }

    func check(_ claim: DenialProof.Claim, name: DNSName) -> DenialProof {
        guard let parameters = records.first?.nsec3 else { return .missing("no usable NSEC3 records from \(zone)") }
        guard parameters.iterations <= NSEC3Hash.maxIterations else { return .tooManyIterations(parameters.iterations) }
        let result = evaluate(claim, name: name)
        return exhausted ? .budgetExhausted : result
    }

    private func evaluate(_ claim: DenialProof.Claim, name: DNSName) -> DenialProof {
        switch claim {
        case .noData(let type):
            if let match = matching(name) {
                return NSECDenial.lacks(match.types, type) ? .proven
                    : .missing("the NSEC3 matching \(name) lists \(type) or CNAME")
            }
            // No match: a DS NODATA under an opt-out span (RFC 5155 §8.6), or a wildcard NODATA (§8.7).
            guard case let (encloser, nextCloser)? = closestEncloserProof(name) else {
                return .missing("no NSEC3 matches \(name) and no closest encloser is proved")
            }
            if type == .ds, let cover = covering(nextCloser), cover.isOptOut { return .optOut }
            let wildcard = (try? encloser.prepending([UInt8(ascii: "*")])) ?? encloser
            if let match = matching(wildcard), NSECDenial.lacks(match.types, type) { return .proven }
            return .missing("no NSEC3 proves \(name) has no \(type)")
        case .insecureDelegation:
            if let match = matching(name) {
                return match.types.contains(.ns) && !match.types.contains(.ds) && !match.types.contains(.soa) ? .proven
                    : .missing("the NSEC3 matching \(name) does not show a delegation without DS")
            }
            guard case let (_, nextCloser)? = closestEncloserProof(name), covering(nextCloser)?.isOptOut == true else {
                return .missing("no NSEC3 matches \(name) and no opt-out span covers it")
            }
            return .optOut
        case .nameError:
            guard case let (encloser, nextCloser)? = closestEncloserProof(name) else {
                return .missing("no closest encloser of \(name) is proved by NSEC3")
            }
            let wildcard = (try? encloser.prepending([UInt8(ascii: "*")])) ?? encloser
            guard covering(wildcard) != nil else {
                return .missing("no NSEC3 proves that \(wildcard) does not exist")
            }
            // Under opt-out the next closer name may be an unsigned delegation: no AD (RFC 5155 §9.2).
            return covering(nextCloser)?.isOptOut == true ? .optOut : .proven
        case .wildcardAnswer(let labels):
            // The next closer name of the wildcard's parent is covered (RFC 5155 §8.8).
            let nextCloser = name.dropping(labels: max(0, name.labelCount - labels - 1))
            guard covering(nextCloser) != nil else {
                return .missing("no NSEC3 proves that \(nextCloser) does not exist beside the wildcard")
            }
            return .proven
        }
    }

    /// The closest encloser (an ancestor of `name` with a matching NSEC3) and the next closer
    /// name (one label below it, toward `name`), which some NSEC3 must cover (RFC 5155 §8.3).
    private func closestEncloserProof(_ name: DNSName) -> (DNSName, DNSName)? {
        var nextCloser = name
        var candidate = name.parent
        while let encloser = candidate, encloser.isSubdomain(of: zone), !exhausted {
            if matching(encloser) != nil {
                return covering(nextCloser) != nil ? (encloser, nextCloser) : nil
            }
            nextCloser = encloser
            candidate = encloser.parent
        }
        return nil
    }

    private func matching(_ name: DNSName) -> NSEC3? {
        guard let hash = hash(name) else { return nil }
        return records.first { $0.hash == hash }?.nsec3
    }

    private func covering(_ name: DNSName) -> NSEC3? {
        guard let hash = hash(name) else { return nil }
        return records.first { record in
            let owner = record.hash, next = record.nsec3.nextHashedOwner
            if owner.lexicographicallyPrecedes(next) {
                return owner.lexicographicallyPrecedes(hash) && hash.lexicographicallyPrecedes(next)
            }
            // The last NSEC3 of the chain wraps around to the first.
            return owner.lexicographicallyPrecedes(hash) || hash.lexicographicallyPrecedes(next)
        }?.nsec3
    }

    private func hash(_ name: DNSName) -> [UInt8]? {
        let key = name.lowercased
        if let known = hashes[key] { return known }
        guard let parameters = records.first?.nsec3, !exhausted else { return nil }
        guard budget.takeNSEC3Hashes(Int(parameters.iterations) + 1) else {
            exhausted = true
            return nil
        }
        let value = NSEC3Hash.hash(key, salt: parameters.salt, iterations: parameters.iterations)
        hashes[key] = value
        return value
    }
}
