import DNSProto

/// One requested edit, as `zone.add` / `zone.delete` give it, before it is resolved against
/// the zone's records (a transaction stages these and resolves them all at commit).
public enum ZoneEdit: Sendable, Hashable {
    /// Add records. A record whose TTL is `ZoneEdit.unspecifiedTTL` takes the TTL of its
    /// RRset if that exists, else the SOA MINIMUM field.
    case add([ResourceRecord])
    /// Delete the records at `name`, optionally only of `type`, optionally only `rdata`.
    case delete(name: DNSName, type: RecordType?, rdata: RData?)

    /// Stands for "no TTL written"; over 2^31-1, so no valid TTL (RFC 2181 §8) collides with it.
    public static let unspecifiedTTL = UInt32.max
}
