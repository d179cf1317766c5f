import DNSProto

/// A zone's records as a set keyed by owner, class, type and RDATA (the TTL is a value, not
/// part of the key), kept in insertion order so a zone prints and builds the same way each
/// time. What `ZoneChange`s apply to.
public struct ZoneRecordSet: Sendable {
    /// The identity of a record: two records with the same key are the same record (RFC 2181
    /// §5: a set has no duplicates), whatever their TTLs.
    struct Key: Hashable, Sendable {
        var name: DNSName
        var type: RecordType
        var recordClass: RecordClass
        var rdata: RData
        init(_ record: ResourceRecord) {
            name = record.name
            type = record.type
            recordClass = record.recordClass
            rdata = record.rdata
        }
    }

    /// Slots in insertion order; a deleted record leaves a nil until `compacted`.
    private var slots: [ResourceRecord?] = []
    private var index: [Key: Int] = [:]

    public init(_ records: [ResourceRecord]) {
        for record in records { add(record) }
    }

    public var count: Int { index.count }

    public var records: [ResourceRecord] { slots.compactMap { $0 } }

    public func contains(_ record: ResourceRecord) -> Bool { index[Key(record)] != nil }

    /// The stored record with the same key (its TTL may differ).
    public func stored(_ record: ResourceRecord) -> ResourceRecord? { index[Key(record)].flatMap { slots[$0] } }

    /// Adds `record`, or replaces the TTL of the same record.
    public mutating func add(_ record: ResourceRecord) {
        let key = Key(record)
        if let slot = index[key] {
            slots[slot] = record
        } else {
            index[key] = slots.count
            slots.append(record)
        }
    }

    /// Removes the record with the same key; false when there was none.
    @discardableResult
    public mutating func delete(_ record: ResourceRecord) -> Bool {
        guard let slot = index.removeValue(forKey: Key(record)) else { return false }
        slots[slot] = nil
        if slots.count > 64 && index.count * 2 < slots.count { compact() }
        return true
    }

    public mutating func apply(_ change: ZoneChange) {
        for operation in change.operations {
            switch operation {
            case .add(let record): add(record)
            case .delete(let record): delete(record)
            }
        }
    }

    private mutating func compact() {
        slots = slots.filter { $0 != nil }
        index = [:]
        for (slot, record) in slots.enumerated() { index[Key(record!)] = slot }
    }
}
