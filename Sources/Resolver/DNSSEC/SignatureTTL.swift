import DNSProto

/// The TTL a validated RRset may be kept (RFC 4035 §5.3.3): no longer than the original TTL in
/// its RRSIG, nor past the signature's expiration, so a cache never serves data as secure after
/// its proof has run out.
enum SignatureTTL {
    /// `records` with every signed RRset's TTL (and its RRSIGs') capped by the RRSIGs covering it.
    static func cap(_ records: [ResourceRecord], now: UInt32) -> [ResourceRecord] {
        var limits: [String: UInt32] = [:]
        for record in records {
            guard case .rrsig(let rrsig) = record.rdata else { continue }
            let remaining = SignatureValidity.serialLess(now, rrsig.expiration) ? rrsig.expiration &- now : 0
            let key = Self.key(record.name, rrsig.typeCovered)
            limits[key] = min(limits[key] ?? .max, rrsig.originalTTL, remaining)
        }
        guard !limits.isEmpty else { return records }
        return records.map { record in
            let covered: RecordType
            if case .rrsig(let rrsig) = record.rdata { covered = rrsig.typeCovered } else { covered = record.type }
            guard let limit = limits[Self.key(record.name, covered)], record.ttl > limit else { return record }
            var capped = record
            capped.ttl = limit
            return capped
        }
    }

    private static func key(_ name: DNSName, _ type: RecordType) -> String {
        "\(name.lowercased) \(type.rawValue)"
    }
}
