/// Writes records as a zone file that `ZoneFileParser` reads back to the same records.
///
/// The output is stable (the same set of records always prints the same way, whatever order
/// it came in), so files written after edits diff cleanly: SOA first, then owners in canonical
/// order (RFC 4034 §6.1), then by type, then by RDATA in canonical wire order (RFC 4034 §6.3).
/// Owners are written relative to the origin and left blank when they repeat; the most common
/// TTL becomes `$TTL` and is left off the records that have it.
public enum ZoneFilePrinter {
    /// The zone file text for `records`, with `$ORIGIN origin` first.
    public static func print(_ records: [ResourceRecord], origin: DNSName) -> String {
        var out = "$ORIGIN \(origin)\n"
        let defaultTTL = mostCommonTTL(records)
        if let defaultTTL { out += "$TTL \(defaultTTL)\n" }
        var previousOwner: [UInt8]? = nil
        for record in ordered(records) {
            // Compare exact wire bytes, not case-insensitively, so a differently cased owner is
            // written out and its case survives the round trip.
            if record.name.wire != previousOwner {
                out += record.name.relative(to: origin)
                previousOwner = record.name.wire
            }
            out += "\t"
            if record.ttl != defaultTTL { out += "\(record.ttl)\t" }
            out += "\(record.recordClass)\t\(record.type)\t\(record.rdata.presentation(type: record.type))\n"
        }
        return out
    }

    /// `records` in printing order.
    static func ordered(_ records: [ResourceRecord]) -> [ResourceRecord] {
        // Keys are computed once per record and only indices are moved while sorting:
        // comparing `DNSName`s directly re-splits both names on every comparison, which was
        // most of the time spent printing a large zone.
        let names = records.map { canonicalKey($0.name) }
        let wires = records.map(\.rdata.uncompressedWire)
        let types = records.map(\.type)
        let order = records.indices.sorted { left, right in
            let leftSOA = types[left] == .soa, rightSOA = types[right] == .soa
            if leftSOA != rightSOA { return leftSOA }
            if names[left] != names[right] { return names[left].lexicographicallyPrecedes(names[right]) }
            if types[left] != types[right] { return types[left] < types[right] }
            if wires[left] != wires[right] { return wires[left].lexicographicallyPrecedes(wires[right]) }
            return left < right
        }
        return order.map { records[$0] }
    }

    /// A key whose lexicographic order is the canonical name order of RFC 4034 §6.1, the one
    /// `DNSName <` defines: labels from the root, each lower-cased octet plus one, each label
    /// ended by 0 so that a label sorts before its own extensions and a name before its
    /// subdomains.
    static func canonicalKey(_ name: DNSName) -> [UInt16] {
        var key: [UInt16] = []
        key.reserveCapacity(name.wire.count)
        for label in name.labels.reversed() {
            for byte in label { key.append(UInt16(DNSName.lower(byte)) + 1) }
            key.append(0)
        }
        return key
    }

    /// The TTL most records have (the smallest on a tie); nil when there are no records.
    static func mostCommonTTL(_ records: [ResourceRecord]) -> UInt32? {
        var counts: [UInt32: Int] = [:]
        for record in records { counts[record.ttl, default: 0] += 1 }
        return counts.max { lhs, rhs in lhs.value != rhs.value ? lhs.value < rhs.value : lhs.key > rhs.key }?.key
    }
}
