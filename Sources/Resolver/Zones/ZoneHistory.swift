import DNSProto

/// The latest committed edits of a zone as serial-to-serial diffs, oldest first: what IXFR
/// answers from (RFC 1995; DESIGN.md "Replication from the journal"). Seeded from the journal
/// at load and fed by every edit; bounded to `limit` entries, so a client whose serial is
/// older than the oldest entry gets the whole zone instead.
public struct ZoneHistory: Sendable {
    public struct Entry: Sendable {
        public var from: ResourceRecord
        public var to: ResourceRecord
        public var deleted: [ResourceRecord]
        public var added: [ResourceRecord]
        public var fromSerial: UInt32 { Self.serial(from) }
        public var toSerial: UInt32 { Self.serial(to) }

        static func serial(_ record: ResourceRecord) -> UInt32 {
            if case .soa(let data) = record.rdata { return data.serial }
            return 0
        }

        /// The diff of one `ZoneChange`; nil when it does not replace the SOA (then it
        /// cannot be told apart from its neighbours by serial).
        init?(_ change: ZoneChange) {
            var from: ResourceRecord?, to: ResourceRecord?
            var deleted: [ResourceRecord] = [], added: [ResourceRecord] = []
            for operation in change.operations {
                switch operation {
                case .delete(let record) where record.type == .soa: from = record
                case .add(let record) where record.type == .soa: to = record
                case .delete(let record):
                    // A record added and removed in the same change is neither.
                    if let index = added.firstIndex(where: { Self.same($0, record) }) { added.remove(at: index) } else { deleted.append(record) }
                case .add(let record):
                    added.removeAll { Self.same($0, record) }
                    added.append(record)
                }
            }
            guard let from, let to else { return nil }
            self.from = from
            self.to = to
            self.deleted = deleted
            self.added = added
        }

        static func same(_ a: ResourceRecord, _ b: ResourceRecord) -> Bool {
            a.name == b.name && a.type == b.type && a.recordClass == b.recordClass && a.rdata == b.rdata
        }
    }

    public private(set) var entries: [Entry] = []
    /// Entries kept (`history` in the zone plugin's configuration).
    public var limit: Int {
        didSet { trim() }
    }

    public init(limit: Int = 100) { self.limit = limit }

    public mutating func record(_ change: ZoneChange) {
        guard let entry = Entry(change) else {
            // An unnumbered change breaks the chain: nothing before it can be served as a diff.
            entries.removeAll()
            return
        }
        if let last = entries.last, last.toSerial != entry.fromSerial { entries.removeAll() }
        entries.append(entry)
        trim()
    }

    private mutating func trim() {
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
    }

    /// The diffs that lead from `serial` to `current`, or nil when the history does not reach
    /// back to `serial` or does not end at `current` (the zone was reloaded from a changed file).
    public func path(from serial: UInt32, to current: UInt32) -> ArraySlice<Entry>? {
        guard let last = entries.last, last.toSerial == current,
              let start = entries.lastIndex(where: { $0.fromSerial == serial }) else { return nil }
        return entries[start...]
    }
}
