import DNSProto

/// Records sharing owner, type and class; one TTL for all (RFC 2181 §5.2).
public struct RRset: Sendable, Hashable {
    public var name: DNSName
    public var type: RecordType
    public var recordClass: RecordClass
    public var ttl: UInt32
    public var rdatas: [RData]

    /// The set as records, with `owner` in place of the stored name (for wildcard synthesis
    /// and to echo the question's spelling).
    public func records(owner: DNSName? = nil, ttl: UInt32? = nil) -> [ResourceRecord] {
        rdatas.map { ResourceRecord(name: owner ?? name, type: type, recordClass: recordClass, ttl: ttl ?? self.ttl, rdata: $0) }
    }
}
