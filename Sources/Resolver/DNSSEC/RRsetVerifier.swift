import DNSProto

/// Verifies one RRset's RRSIGs against the DNSKEYs of the zone that signed it
/// (RFC 4035 §5.3), spending signature checks from a `ValidationBudget`.
///
/// KeyTrap defence: keys are looked up by (key tag, algorithm) and at most
/// `Limits.keysPerSignature` of them are tried per RRSIG, and at most
/// `Limits.signaturesPerRRset` RRSIGs per RRset, so a zone full of colliding keys and
/// signatures costs a bounded number of checks, not keys × signatures.
public struct RRsetVerifier: Sendable {
    /// The zone's keys that may sign: Zone Key flag set, protocol 3, not revoked.
    private let keysByTag: [UInt32: [DNSKEY]]
    /// The signer name every RRSIG must carry.
    public let zone: DNSName

    public init(zone: DNSName, keys: [DNSKEY]) {
        self.zone = zone
        var byTag: [UInt32: [DNSKEY]] = [:]
        for key in keys where key.isZoneKey && key.protocol == 3 && !key.isRevoked {
            byTag[UInt32(key.keyTag) << 8 | UInt32(key.algorithm), default: []].append(key)
        }
        keysByTag = byTag
    }

    /// Whether any key of this zone uses an algorithm dnsd validates.
    public var hasSupportedKey: Bool {
        keysByTag.values.contains { $0.contains { DNSSECAlgorithm(rawValue: $0.algorithm) != nil } }
    }

    /// The RRSIG that verifies `rrset` (records of one owner, type and class), or the reason
    /// none does. `signatures` may hold RRSIGs for other types; they are ignored.
    public func verify(rrset: [ResourceRecord], signatures: [RRSIG], now: UInt32,
                       budget: ValidationBudget) -> Result<RRSIG, DNSSECFailure> {
        guard let first = rrset.first else { return .failure(.bogus("empty RRset")) }
        let what = "\(first.name) \(first.type)"
        let candidates = signatures.filter {
            $0.typeCovered == first.type && $0.signerName == zone && DNSSECAlgorithm(rawValue: $0.algorithm) != nil
        }
        guard !candidates.isEmpty else {
            return .failure(.rrsigsMissing("no RRSIG by \(zone) for \(what)"))
        }
        guard first.name.isSubdomain(of: zone) else {
            return .failure(.bogus("\(what) is signed by \(zone), which is not above it"))
        }
        var expired = false, notYetValid = false, keyMissing = false, failed = false, malformed = false
        for rrsig in candidates.prefix(budget.limits.signaturesPerRRset) {
            switch SignatureValidity.check(inception: rrsig.inception, expiration: rrsig.expiration, now: now) {
            case .expired: expired = true; continue
            case .notYetValid: notYetValid = true; continue
            case .valid: break
            }
            let keys = keysByTag[UInt32(rrsig.keyTag) << 8 | UInt32(rrsig.algorithm)] ?? []
            guard !keys.isEmpty else { keyMissing = true; continue }
            guard let data = try? SignedData.build(rrsig: rrsig, rrset: rrset) else { malformed = true; continue }
            for key in keys.prefix(budget.limits.keysPerSignature) {
                guard budget.takeSignatureCheck() else {
                    return .failure(.budgetExhausted("\(budget.limits.signatureChecks) signature checks spent at \(what)"))
                }
                do {
                    if try SignatureVerifier.verify(signature: rrsig.signature, data: data, key: key) {
                        return .success(rrsig)
                    }
                    failed = true
                } catch {
                    malformed = true
                }
            }
        }
        if failed { return .failure(.bogus("signature over \(what) does not verify with \(zone)'s key")) }
        if malformed { return .failure(.bogus("RRSIG or DNSKEY for \(what) is malformed")) }
        if keyMissing { return .failure(.dnskeyMissing("no DNSKEY of \(zone) matches the RRSIG key tag of \(what)")) }
        if expired { return .failure(.signatureExpired("every RRSIG over \(what) has expired")) }
        if notYetValid { return .failure(.signatureNotYetValid("every RRSIG over \(what) starts in the future")) }
        return .failure(.bogus("no usable RRSIG over \(what)"))
    }
}
