import DNSProto
import NIOCore

/// DNSSEC validation of a resolution (RFC 4035 §5): every RRset and every denial is checked
/// against the keys of the zone that signed it, and each zone's keys against the chain of
/// trust from an anchor (DS -> DNSKEY -> RRSIG per zone cut). The DS and DNSKEY lookups go
/// through the same iterator and budget as the query; each zone's outcome is kept in a
/// `ZoneSecurityCache`.
struct AnswerValidator: Sendable {
    let iterator: RecursiveIterator
    let anchors: TrustAnchors
    let zones: ZoneSecurityCache

    /// The verdict on a whole answer: secure only when every part is.
    enum Verdict: Sendable, Equatable {
        case secure
        case insecure
        case bogus(DNSSECFailure)

        /// The weaker of two verdicts (bogus < insecure < secure).
        func and(_ other: Verdict) -> Verdict {
            switch (self, other) {
            case (.bogus, _): return self
            case (_, .bogus): return other
            case (.insecure, _), (_, .insecure): return .insecure
            default: return .secure
            }
        }
    }

    /// What one client query's validation may use.
    struct Work {
        let loop: EventLoop
        let budget: RecursionBudget
        let crypto: ValidationBudget
        let now: UInt32
        /// Zones at or below these names count as insecure, whatever their chain says.
        let negativeAnchors: NegativeTrustAnchors
    }

    func validate(_ resolution: RecursiveIterator.Resolution, work: Work) async throws -> Verdict {
        var verdict = Verdict.secure
        for segment in resolution.segments {
            verdict = verdict.and(try await validate(segment, work: work))
            if case .bogus = verdict { return verdict }
        }
        return verdict
    }

    // MARK: - One zone's part of the answer

    private func validate(_ segment: RecursiveIterator.Segment, work: Work) async throws -> Verdict {
        var verdict = Verdict.secure
        let signatures = Self.signatures(in: segment.records + segment.proof)
        let dnameOwners = segment.records.filter { $0.type == .dname }.map(\.name)
        for rrset in Self.rrsets(segment.records) {
            let owner = rrset[0].name, type = rrset[0].type
            let covering = signatures.filter { $0.owner == owner && $0.rrsig.typeCovered == type }.map(\.rrsig)
            // The CNAME a DNAME synthesizes is unsigned by design (RFC 6672 §5.3.1); the
            // DNAME it came from is checked instead.
            if type == .cname, covering.isEmpty, dnameOwners.contains(where: { owner.isSubdomain(of: $0) && owner != $0 }) {
                continue
            }
            verdict = verdict.and(try await check(rrset, covering, servedBy: segment.zone, proof: segment.proof, work: work))
            if case .bogus = verdict { return verdict }
        }
        if let claim = segment.denial {
            verdict = verdict.and(try await checkDenial(claim, name: segment.name, servedBy: segment.zone,
                                                        proof: segment.proof, work: work))
        }
        return verdict
    }

    /// One RRset: unsigned is fine only in an insecure zone; signed must verify with the
    /// signer's authenticated keys; a wildcard expansion needs its proof of non-existence.
    private func check(_ rrset: [ResourceRecord], _ covering: [RRSIG], servedBy: DNSName, proof: [ResourceRecord],
                       work: Work) async throws -> Verdict {
        let owner = rrset[0].name
        let signer = covering.first { owner.isSubdomain(of: $0.signerName) }?.signerName
        let security = try await zoneSecurity(signer ?? servedBy, work: work)
        guard case .secure(let keys) = security else { return Self.verdict(security) }
        guard signer != nil else {
            if let below = try await unsignedDelegation(below: servedBy, keys: keys, toward: owner, work: work) { return below }
            return .bogus(.rrsigsMissing("\(owner) \(rrset[0].type) from signed zone \(servedBy) has no RRSIG"))
        }
        switch RRsetVerifier(zone: signer!, keys: keys).verify(rrset: rrset, signatures: covering, now: work.now, budget: work.crypto) {
        case .failure(let failure):
            return .bogus(failure)
        case .success(let rrsig):
            let ownerLabels = owner.isWildcard ? owner.labelCount - 1 : owner.labelCount
            guard Int(rrsig.labels) < ownerLabels else { return .secure }
            let verified = verifiedProof(proof, zone: signer!, keys: keys, work: work)
            guard case .success(let records) = verified else {
                if case .failure(let failure) = verified { return .bogus(failure) }
                return .bogus(.nsecMissing("wildcard answer \(owner)"))
            }
            return Self.verdict(DenialProof.check(.wildcardAnswer(labels: Int(rrsig.labels)), name: owner, zone: signer!,
                                                  records: records, budget: work.crypto), about: owner)
        }
    }

    /// A NODATA or NXDOMAIN: in a signed zone the SOA and the NSEC/NSEC3 records must verify
    /// and prove the denial.
    private func checkDenial(_ claim: DenialProof.Claim, name: DNSName, servedBy: DNSName, proof: [ResourceRecord],
                             work: Work) async throws -> Verdict {
        let signer = Self.signatures(in: proof).first { name.isSubdomain(of: $0.rrsig.signerName) }?.rrsig.signerName
        let security = try await zoneSecurity(signer ?? servedBy, work: work)
        guard case .secure(let keys) = security else { return Self.verdict(security) }
        guard let zone = signer else {
            if let below = try await unsignedDelegation(below: servedBy, keys: keys, toward: name, work: work) { return below }
            return .bogus(.nsecMissing("the denial of \(name) from signed zone \(servedBy) is unsigned"))
        }
        switch verifiedProof(proof, zone: zone, keys: keys, work: work) {
        case .failure(let failure):
            return .bogus(failure)
        case .success(let records):
            return Self.verdict(DenialProof.check(claim, name: name, zone: zone, records: records, budget: work.crypto), about: name)
        }
    }

    /// Verifies every RRset of a proof (SOA, NSEC, NSEC3) with `zone`'s keys and returns them.
    private func verifiedProof(_ proof: [ResourceRecord], zone: DNSName, keys: [DNSKEY],
                               work: Work) -> Result<[ResourceRecord], DNSSECFailure> {
        let signatures = Self.signatures(in: proof)
        let verifier = RRsetVerifier(zone: zone, keys: keys)
        var verified: [ResourceRecord] = []
        for rrset in Self.rrsets(proof) {
            let owner = rrset[0].name, type = rrset[0].type
            let covering = signatures.filter { $0.owner == owner && $0.rrsig.typeCovered == type }.map(\.rrsig)
            if case .failure(let failure) = verifier.verify(rrset: rrset, signatures: covering, now: work.now, budget: work.crypto) {
                return .failure(failure)
            }
            verified += rrset
        }
        return .success(verified)
    }

    private static func verdict(_ security: ZoneSecurity) -> Verdict {
        switch security {
        case .secure: return .secure
        case .insecure: return .insecure
        case .bogus(let failure): return .bogus(failure)
        }
    }

    private static func verdict(_ proof: DenialProof, about name: DNSName) -> Verdict {
        switch proof {
        case .proven: return .secure
        case .optOut, .tooManyIterations: return .insecure
        case .missing(let text): return .bogus(.nsecMissing(text))
        case .budgetExhausted: return .bogus(.budgetExhausted("NSEC3 hashes spent proving \(name)"))
        }
    }

    /// Unsigned data from the servers of a signed zone is insecure, not bogus, when an unsigned
    /// delegation lies between that zone and the data: a server that also serves the child
    /// answers for it without a referral, so the cut was never seen. Asks for DS one label at a
    /// time from `zone` toward `owner` (as Unbound does); returns nil when no such cut is proved.
    private func unsignedDelegation(below zone: DNSName, keys: [DNSKEY], toward owner: DNSName,
                                    work: Work) async throws -> Verdict? {
        var parent = zone, parentKeys = keys
        var labels = zone.labelCount + 1
        while labels <= owner.labelCount {
            let name = owner.dropping(labels: owner.labelCount - labels)
            labels += 1
            if zones.lookup(name) == .insecure { return .insecure }
            let resolution = try await iterator.resolve(name, .ds, canonical: name, on: work.loop, budget: work.budget)
            if resolution.answers.contains(where: { $0.type == .ds && $0.name == name }) {
                // A signed child: the data below it answers to its keys.
                switch try await zoneSecurity(name, work: work) {
                case .secure(let childKeys): (parent, parentKeys) = (name, childKeys)
                case .insecure: return .insecure
                case .bogus(let failure): return .bogus(failure)
                }
                continue
            }
            guard let segment = resolution.segments.last, segment.denial == .noData(.ds),
                  case .success(let records) = verifiedProof(segment.proof, zone: parent, keys: parentKeys, work: work) else {
                return nil
            }
            switch DenialProof.check(.insecureDelegation, name: name, zone: parent, records: records, budget: work.crypto) {
            case .proven, .optOut, .tooManyIterations:
                zones.store(.insecure, for: name, ttl: records.map(\.ttl).min() ?? 0)
                return .insecure
            case .missing, .budgetExhausted:
                continue    // no cut at `name` (an empty non-terminal or a name with data): one label deeper
            }
        }
        return nil
    }

    // MARK: - The chain of trust

    /// The security of `zone`, from the cache or by walking DS/DNSKEY up to an anchor.
    func zoneSecurity(_ zone: DNSName, work: Work) async throws -> ZoneSecurity {
        if work.negativeAnchors.covers(zone) { return .insecure }
        if let known = zones.lookup(zone) { return known }
        guard let anchored = anchors.closest(to: zone) else { return .insecure }
        let security: ZoneSecurity, ttl: UInt32
        if zone == anchored {
            (security, ttl) = try await keys(of: zone, ds: anchors.ds[zone] ?? [], anchorKeys: anchors.keys[zone] ?? [],
                                             ttl: ZoneSecurityCache.maxTTL, work: work)
        } else {
            (security, ttl) = try await delegation(zone, below: anchored, work: work)
        }
        zones.store(security, for: zone, ttl: ttl)
        return security
    }

    /// The parent's DS RRset for `zone` (or its signed denial), checked with the parent's keys.
    private func delegation(_ zone: DNSName, below anchored: DNSName, work: Work) async throws -> (ZoneSecurity, UInt32) {
        let resolution = try await iterator.resolve(zone, .ds, canonical: zone, on: work.loop, budget: work.budget)
        let signatures = Self.signatures(in: resolution.answers + resolution.authority)
        let ds = resolution.answers.filter { $0.type == .ds && $0.name == zone }
        // The parent is whoever signed the DS (or its denial): it must lie strictly above `zone`
        // and inside the anchor, and its own security is established first.
        let parent = signatures.first { $0.rrsig.typeCovered != .cname && zone.isSubdomain(of: $0.rrsig.signerName) }?.rrsig.signerName
            ?? resolution.segments.last?.zone ?? anchored
        guard parent != zone, zone.isSubdomain(of: parent), parent.isSubdomain(of: anchored) else {
            return (.bogus(.bogus("the DS of \(zone) is signed by \(parent), not by a zone above it")), ZoneSecurityCache.bogusTTL)
        }
        let parentSecurity = try await zoneSecurity(parent, work: work)
        guard case .secure(let parentKeys) = parentSecurity else {
            return (parentSecurity, ZoneSecurityCache.maxTTL)
        }
        if !ds.isEmpty {
            let covering = signatures.filter { $0.owner == zone && $0.rrsig.typeCovered == .ds }.map(\.rrsig)
            switch RRsetVerifier(zone: parent, keys: parentKeys).verify(rrset: ds, signatures: covering, now: work.now, budget: work.crypto) {
            case .failure(let failure):
                return (.bogus(failure), ZoneSecurityCache.bogusTTL)
            case .success:
                let records = ds.compactMap { record -> DS? in if case .ds(let value) = record.rdata { value } else { nil } }
                return try await keys(of: zone, ds: records, anchorKeys: [], ttl: ds.map(\.ttl).min() ?? 0, work: work)
            }
        }
        // No DS: the parent must prove an unsigned delegation.
        guard let segment = resolution.segments.last, segment.denial != nil else {
            return (.bogus(.bogus("the DS question for \(zone) was answered with neither DS nor a denial")), ZoneSecurityCache.bogusTTL)
        }
        switch verifiedProof(segment.proof, zone: parent, keys: parentKeys, work: work) {
        case .failure(let failure):
            return (.bogus(failure), ZoneSecurityCache.bogusTTL)
        case .success(let records):
            let ttl = records.map(\.ttl).min() ?? 0
            switch DenialProof.check(.insecureDelegation, name: zone, zone: parent, records: records, budget: work.crypto) {
            case .proven, .optOut, .tooManyIterations: return (.insecure, ttl)
            case .missing(let text): return (.bogus(.nsecMissing(text)), ZoneSecurityCache.bogusTTL)
            case .budgetExhausted:
                return (.bogus(.budgetExhausted("NSEC3 hashes spent on the DS of \(zone)")), ZoneSecurityCache.bogusTTL)
            }
        }
    }

    /// `zone`'s DNSKEY RRset, authenticated by `ds` or `anchorKeys`.
    private func keys(of zone: DNSName, ds: [DS], anchorKeys: [DNSKEY], ttl: UInt32, work: Work) async throws -> (ZoneSecurity, UInt32) {
        let resolution = try await iterator.resolve(zone, .dnskey, canonical: zone, on: work.loop, budget: work.budget)
        let keys = resolution.answers.filter { $0.type == .dnskey && $0.name == zone }
        let covering = Self.signatures(in: resolution.answers).filter { $0.owner == zone && $0.rrsig.typeCovered == .dnskey }.map(\.rrsig)
        switch DNSKEYAuthenticator.authenticate(zone: zone, keys: keys, signatures: covering, ds: ds, anchorKeys: anchorKeys,
                                                now: work.now, budget: work.crypto) {
        case .secure(let trusted): return (.secure(trusted), min(ttl, keys.map(\.ttl).min() ?? 0))
        case .insecure: return (.insecure, ttl)
        case .bogus(let failure): return (.bogus(failure), ZoneSecurityCache.bogusTTL)
        }
    }

    // MARK: - Records

    /// The RRSIGs among `records`, with their owners.
    static func signatures(in records: [ResourceRecord]) -> [(owner: DNSName, rrsig: RRSIG)] {
        records.compactMap { record in
            if case .rrsig(let rrsig) = record.rdata { return (record.name, rrsig) }
            return nil
        }
    }

    /// The records other than RRSIGs, grouped into RRsets (owner and type) in first-seen order.
    static func rrsets(_ records: [ResourceRecord]) -> [[ResourceRecord]] {
        var order: [[ResourceRecord]] = []
        var index: [String: Int] = [:]
        for record in records where record.type != .rrsig {
            let key = "\(record.name.lowercased) \(record.type.rawValue)"
            if let at = index[key] { order[at].append(record) } else {
                index[key] = order.count
                order.append([record])
            }
        }
        return order
    }
}
