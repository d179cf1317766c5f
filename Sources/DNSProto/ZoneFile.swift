/// The records of a parsed zone file, with where each one was written so that later checks
/// (missing SOA, CNAME beside other data) can point at `file:line:column`.
public struct ZoneFile: Sendable, Hashable {
    /// The zone's origin (apex) as given to the parser; every owner is at or below it.
    public var origin: DNSName
    /// The records in file order, `$INCLUDE`d files expanded where they were included.
    public var records: [ResourceRecord]
    /// Parallel to `records`: where each record's line began (its first field).
    public var locations: [SourceLocation]

    /// Pairs records with their locations; the two arrays should have the same length.
    public init(origin: DNSName, records: [ResourceRecord] = [], locations: [SourceLocation] = []) {
        self.origin = origin
        self.records = records
        self.locations = locations
    }

    /// Where `records[index]` was written; nil for an index out of range or a record added
    /// without a location.
    public func location(ofRecordAt index: Int) -> SourceLocation? {
        index >= 0 && index < locations.count ? locations[index] : nil
    }
}
