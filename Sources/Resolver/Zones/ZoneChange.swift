import DNSProto

/// One committed edit of a zone as exact record operations: what the journal stores and
/// replays. A `zone.delete www A` is recorded as the records it removed, and the SOA serial
/// bump as the old SOA removed and the new one added, so replay needs no lookups.
///
/// Operations act on a set of records keyed by owner, class, type and RDATA (TTL aside):
/// an add puts the record in (replacing its TTL), a delete takes it out. Applying a change
/// twice leaves the same set as applying it once, and so does replaying a whole journal on a
/// zone file that already holds its result (a crash between compaction's rename and the
/// journal's truncation) — the last operation on each record decides.
public struct ZoneChange: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case add(ResourceRecord)
        case delete(ResourceRecord)
    }

    public var operations: [Operation]

    public init(operations: [Operation] = []) { self.operations = operations }

    public var isEmpty: Bool { operations.isEmpty }
    public var added: Int { operations.count { if case .add = $0 { true } else { false } } }
    public var deleted: Int { operations.count { if case .delete = $0 { true } else { false } } }

    /// The journal payload: one `+ RECORD` or `- RECORD` line per operation, absolute names.
    public var journalText: String {
        var out = ""
        for operation in operations {
            switch operation {
            case .add(let record): out += "+ " + Self.line(record) + "\n"
            case .delete(let record): out += "- " + Self.line(record) + "\n"
            }
        }
        return out
    }

    /// A record on one line in zone-file syntax with an absolute owner, as the journal, `zone.get`
    /// and error messages show it.
    public static func line(_ record: ResourceRecord) -> String {
        "\(record.name) \(record.ttl) \(record.recordClass) \(record.type) \(record.rdata.presentation(type: record.type))"
    }

    /// Parses a journal payload back (the inverse of `journalText`).
    public static func parse(journalText text: String, origin: DNSName, file: String) throws -> ZoneChange {
        var signs: [Bool] = []
        var body = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.count > 2, line.hasPrefix("+ ") || line.hasPrefix("- ") else {
                throw PresentationError("journal line is neither '+ RECORD' nor '- RECORD'", at: SourceLocation(file: file, line: signs.count + 1, column: 1))
            }
            signs.append(line.hasPrefix("+"))
            body += line.dropFirst(2) + "\n"
        }
        // Records in the journal are absolute and never use $INCLUDE; the parser checks that
        // every owner is inside the zone.
        let parsed = try ZoneFileParser.parse(text: body, file: file, origin: origin, include: nil)
        guard parsed.records.count == signs.count else {
            throw PresentationError("journal entry has \(signs.count) lines but \(parsed.records.count) records", at: SourceLocation(file: file, line: 1, column: 1))
        }
        return ZoneChange(operations: zip(signs, parsed.records).map { $0 ? .add($1) : .delete($1) })
    }
}
