import DNSProto

/// Authenticates a zone's DNSKEY RRset from the parent's DS RRset or a trust anchor
/// (RFC 4035 §5.2): a DS must match a key in the set, and that key must sign the set.
public enum DNSKEYAuthenticator {
    /// The outcome for one zone.
    public enum Outcome: Sendable, Equatable {
        /// The keys that may be used to verify the zone's data.
        case secure([DNSKEY])
        /// No DS uses an algorithm and digest type dnsd supports: the zone is treated as
        /// unsigned (RFC 4035 §5.2, RFC 6840 §5.2).
        case insecure(String)
        case bogus(DNSSECFailure)
    }

    /// Checks `keys` (the zone's DNSKEY RRset, with `signatures` from the same answer) against
    /// the DS records `ds` or the trusted DNSKEYs `anchorKeys` (a DNSKEY trust anchor).
    public static func authenticate(zone: DNSName, keys: [ResourceRecord], signatures: [RRSIG],
                                    ds: [DS], anchorKeys: [DNSKEY] = [], now: UInt32,
                                    budget: ValidationBudget) -> Outcome {
        let usableDS = DSDigestType.usable(ds).filter { DNSSECAlgorithm(rawValue: $0.algorithm) != nil }
        let supportedAnchors = anchorKeys.filter { DNSSECAlgorithm(rawValue: $0.algorithm) != nil }
        guard !usableDS.isEmpty || !supportedAnchors.isEmpty else {
            return .insecure("no DS for \(zone) uses a supported algorithm and digest type")
        }
        let dnskeys: [DNSKEY] = keys.compactMap { if case .dnskey(let key) = $0.rdata { return key } else { return nil } }
        guard !dnskeys.isEmpty else { return .bogus(.dnskeyMissing("\(zone) has no DNSKEY RRset")) }

        // The key tag narrows the digests to compute: one hash per DS whose tag matches.
        var entryKeys: [DNSKEY] = []
        for key in dnskeys where key.protocol == 3 {
            let fromDS = usableDS.contains { DSDigestType.matches($0, owner: zone, key: key) }
            let fromAnchor = supportedAnchors.contains { $0 == key }
            if fromDS || fromAnchor { entryKeys.append(key) }
        }
        guard !entryKeys.isEmpty else {
            return .bogus(.dnskeyMissing("no DNSKEY of \(zone) matches its DS records"))
        }
        let zoneKeys = entryKeys.filter(\.isZoneKey)
        guard !zoneKeys.isEmpty else {
            return .bogus(.noZoneKeyBit("the DNSKEY of \(zone) that its DS names lacks the Zone Key flag"))
        }
        switch RRsetVerifier(zone: zone, keys: zoneKeys).verify(rrset: keys, signatures: signatures, now: now, budget: budget) {
        case .success:
            return .secure(dnskeys.filter { $0.isZoneKey && $0.protocol == 3 && !$0.isRevoked })
        case .failure(let failure):
            return .bogus(failure)
        }
    }
}
