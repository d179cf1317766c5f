import DNSProto

/// The answer to AXFR (RFC 5936) and IXFR (RFC 1995) as a sequence of messages, each at most
/// `messageSize` bytes before its TSIG record.
///
/// AXFR: the SOA, every other record, the SOA again. IXFR from a serial the history reaches:
/// the new SOA, then per diff the old SOA, what it deleted, the diff's new SOA, what it added,
/// and the new SOA to close; a client already at the current serial gets the SOA alone; a
/// client the history does not reach gets the whole zone in AXFR form (RFC 1995 §4).
public enum ZoneTransfer {
    /// What fits comfortably in one TCP message and leaves room for TSIG; BIND and Knot send
    /// similar sizes, well under the 64 KiB frame limit.
    public static let messageSize = 16_000

    /// What a transfer sends: the records in order, and whether it is incremental.
    public static func records(zone: AuthoritativeZone, history: ZoneHistory, ixfrSerial: UInt32?) -> (records: [ResourceRecord], incremental: Bool) {
        let soa = zone.soa.records()[0]
        if let serial = ixfrSerial {
            if serial == zone.serial { return ([soa], true) }
            if let path = history.path(from: serial, to: zone.serial) {
                var out = [soa]
                for entry in path {
                    out.append(entry.from)
                    out += entry.deleted
                    out.append(entry.to)
                    out += entry.added
                }
                out.append(soa)
                return (out, true)
            }
        }
        return ([soa] + zone.records.filter { $0.type != .soa } + [soa], false)
    }

    /// Packs `records` into response messages to `query`; the question only in the first
    /// (RFC 5936 §2.2.1 allows it to be left out of the rest).
    public static func messages(_ records: [ResourceRecord], query: Message, messageSize: Int = messageSize) throws -> [[UInt8]] {
        var header = Message.response(to: query).header
        header.authoritative = true
        var out: [[UInt8]] = []
        var writer = WireWriter(capacity: messageSize)
        var count = 0
        func start(question: Bool) {
            writer = WireWriter(capacity: messageSize)
            writer.writeU16(header.id)
            writer.writeU16(header.flags)
            writer.writeU16(question ? UInt16(query.questions.count) : 0)
            for _ in 0..<3 { writer.writeU16(0) }
            if question {
                for item in query.questions {
                    writer.writeName(item.name)
                    writer.writeU16(item.type.rawValue)
                    writer.writeU16(item.recordClass.rawValue)
                }
            }
            count = 0
        }
        func finish() {
            writer.patchU16(UInt16(count), at: 6)
            out.append(writer.bytes)
        }
        start(question: true)
        for record in records {
            let before = writer.count
            try record.write(to: &writer)
            if writer.count > messageSize, count > 0 {
                writer.truncate(to: before)
                finish()
                start(question: false)
                try record.write(to: &writer)
            }
            count += 1
        }
        finish()
        return out
    }
}
