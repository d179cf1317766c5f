import Crypto
import DNSProto

/// DS digest types (RFC 4034 §5.1.3, RFC 4509, RFC 6605) and the rule for choosing among them.
///
/// SHA-1 (type 1): RFC 8624 §3.3 keeps it MUST for validation, so a zone whose parent publishes
/// only SHA-1 DS records still validates; but RFC 4509 §3 tells a validator to ignore SHA-1 DS
/// records when a SHA-256 (or stronger) one for the same zone is present, so an attacker who can
/// forge SHA-1 cannot downgrade a zone that also has a SHA-256 DS. dnsd applies that per DS
/// RRset: SHA-1 digests count only when no SHA-256 or SHA-384 DS is in the set.
/// GOST (3) and unknown types are unsupported: a DS RRset of only those makes the child
/// insecure (RFC 4035 §5.2).
public enum DSDigestType: UInt8, Sendable, CaseIterable {
    case sha1 = 1
    case sha256 = 2
    case sha384 = 4

    /// The DS records of `set` that a validator should use, per the rule above.
    public static func usable(_ set: [DS]) -> [DS] {
        let supported = set.filter { DSDigestType(rawValue: $0.digestType) != nil }
        let hasStrong = supported.contains { $0.digestType != DSDigestType.sha1.rawValue }
        return hasStrong ? supported.filter { $0.digestType != DSDigestType.sha1.rawValue } : supported
    }

    /// The digest of `owner` (canonical, lower-cased) followed by the DNSKEY RDATA (RFC 4034 §5.1.4).
    public func digest(owner: DNSName, key: DNSKEY) -> [UInt8] {
        var writer = WireWriter(capacity: owner.wire.count + 4 + key.publicKey.count)
        writer.writeBytes(owner.lowercasedWire)
        try? key.write(to: &writer, compress: false)
        switch self {
        case .sha1: return Array(Insecure.SHA1.hash(data: writer.bytes))
        case .sha256: return Array(SHA256.hash(data: writer.bytes))
        case .sha384: return Array(SHA384.hash(data: writer.bytes))
        }
    }

    /// Whether `ds` points at `key` owned by `owner`: key tag, algorithm and digest all match.
    /// The key tag is compared first, so a set of DS records costs one hash per likely match.
    public static func matches(_ ds: DS, owner: DNSName, key: DNSKEY) -> Bool {
        guard ds.keyTag == key.keyTag, ds.algorithm == key.algorithm,
              let type = DSDigestType(rawValue: ds.digestType) else { return false }
        return type.digest(owner: owner, key: key) == ds.digest
    }
}
