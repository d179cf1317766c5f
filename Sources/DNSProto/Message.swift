/// A DNS message (RFC 1035 §4.1): header, question, and the three record sections, with the
/// EDNS0 OPT record (if any) held apart in `edns`.
public struct Message: Sendable, Hashable {
    public var header: Header
    public var questions: [Question]
    public var answers: [ResourceRecord]
    public var authorities: [ResourceRecord]
    /// Additional records other than OPT.
    public var additionals: [ResourceRecord]
    public var edns: EDNS?
    /// What the validating resolver found, nil when nothing was validated (CD, `dnssec: off`,
    /// answers not from `recurse`). Never on the wire: it travels with the answer to the cache
    /// and the query event.
    public var dnssecStatus: DNSSECStatus?

    public init(header: Header = Header(), questions: [Question] = [], answers: [ResourceRecord] = [],
                authorities: [ResourceRecord] = [], additionals: [ResourceRecord] = [], edns: EDNS? = nil) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// The full 12-bit response code: 4 bits in the header, 8 more in the OPT record.
    public var rcode: Rcode {
        get { Rcode(rawValue: UInt16(edns?.extendedRcode ?? 0) << 4 | UInt16(header.rcodeLow)) }
        set {
            header.rcodeLow = UInt8(newValue.rawValue & 0x0F)
            let high = UInt8(truncatingIfNeeded: newValue.rawValue >> 4)
            if edns != nil { edns!.extendedRcode = high }
        }
    }

    /// The first question, which is the only one in practice (RFC 9619).
    public var question: Question? { questions.first }

    /// Parses a message. Anything malformed throws `DNSWireError`; the caller decides between
    /// FORMERR (header readable, see `Header.peek`) and dropping the packet.
    public init(wire bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        var header = Header(id: try reader.readU16())
        header.flags = try reader.readU16()
        let questionCount = Int(try reader.readU16())
        let answerCount = Int(try reader.readU16())
        let authorityCount = Int(try reader.readU16())
        let additionalCount = Int(try reader.readU16())
        self.init(header: header)
        // Each entry takes at least 5 (question) or 11 (record) bytes: a count that cannot
        // fit is a lie, refused before any allocation sized by it.
        guard questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11 <= reader.remaining else {
            throw DNSWireError.countMismatch(section: "header")
        }
        questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount {
            let name = try reader.readName()
            let type = RecordType(rawValue: try reader.readU16())
            let recordClass = RecordClass(rawValue: try reader.readU16())
            questions.append(Question(name: name, type: type, recordClass: recordClass))
        }
        answers = try Self.readSection(count: answerCount, from: &reader, name: "answer")
        authorities = try Self.readSection(count: authorityCount, from: &reader, name: "authority")
        for _ in 0..<additionalCount {
            let start = reader.position
            let owner = try reader.readName()
            let type = try reader.readU16()
            if type == RecordType.opt.rawValue {
                guard edns == nil else { throw DNSWireError.badOPT("more than one OPT record") }
                guard owner.isRoot else { throw DNSWireError.badOPT("owner name is not the root") }
                let udpSize = try reader.readU16()
                let ttl = try reader.readU32()
                let length = Int(try reader.readU16())
                guard length <= reader.remaining else { throw DNSWireError.truncated(offset: reader.position, needed: length) }
                var rdata = reader
                rdata.limit = reader.position + length
                edns = try EDNS.read(recordClass: udpSize, ttl: ttl, rdata: &rdata)
                reader.position += length
            } else {
                reader.position = start
                additionals.append(try ResourceRecord.read(from: &reader))
            }
        }
        // Trailing bytes after the counted records are tolerated (some stacks pad), as BIND does.
    }

    private static func readSection(count: Int, from reader: inout WireReader, name: String) throws -> [ResourceRecord] {
        var records: [ResourceRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let record = try ResourceRecord.read(from: &reader)
            guard record.type != .opt else { throw DNSWireError.badOPT("OPT record in the \(name) section") }
            records.append(record)
        }
        return records
    }

    /// Encodes the message with name compression. If it exceeds `maxSize`, records are dropped
    /// from the end at an RRset boundary; dropping answer or authority data sets TC, dropping
    /// only additional data does not (RFC 2181 §9). The OPT record is always kept.
    public func encode(maxSize: Int = 65535) throws -> [UInt8] {
        // 512 covers most answers and stays in malloc's per-thread cache (at most 1,032 bytes);
        // reserving 1,232 up front sent every encode through the slower arena path.
        var writer = WireWriter(capacity: min(maxSize, 512))
        var header = self.header
        writer.writeU16(header.id)
        writer.writeU16(0)  // flags, patched below once TC is known
        writer.writeU16(UInt16(questions.count))
        for _ in 0..<3 { writer.writeU16(0) }  // section counts, patched below
        for question in questions {
            writer.writeName(question.name)
            writer.writeU16(question.type.rawValue)
            writer.writeU16(question.recordClass.rawValue)
        }
        let budget = maxSize - (edns?.wireSize ?? 0)
        guard writer.count <= budget else { throw DNSWireError.unencodable("question does not fit in \(maxSize) octets") }
        var counts = [0, 0, 0]
        var full = false
        for (index, section) in [answers, authorities, additionals].enumerated() where !full {
            var rrsetStart = (offset: writer.count, count: 0)
            for (position, record) in section.enumerated() {
                if position == 0 || !Self.sameRRset(section[position - 1], record) {
                    rrsetStart = (writer.count, position)
                }
                try record.write(to: &writer)
                if writer.count > budget {
                    writer.truncate(to: rrsetStart.offset)
                    counts[index] = rrsetStart.count
                    if index < 2 { header.truncated = true }
                    full = true
                    break
                }
                counts[index] = position + 1
            }
        }
        var additionalCount = counts[2]
        if let edns {
            try edns.write(to: &writer)
            additionalCount += 1
        }
        writer.patchU16(header.flags, at: 2)
        writer.patchU16(UInt16(counts[0]), at: 6)
        writer.patchU16(UInt16(counts[1]), at: 8)
        writer.patchU16(UInt16(additionalCount), at: 10)
        return writer.bytes
    }

    private static func sameRRset(_ a: ResourceRecord, _ b: ResourceRecord) -> Bool {
        a.type == b.type && a.recordClass == b.recordClass && a.name == b.name
    }

    /// A response skeleton for `query`: same ID, opcode, RD and CD, the question echoed with
    /// its original case, and an OPT record when the query had one.
    public static func response(to query: Message, rcode: Rcode = .noError, udpPayloadSize: UInt16 = 1232) -> Message {
        var header = Header(id: query.header.id)
        header.isResponse = true
        header.opcode = query.header.opcode
        header.copyRequestFlags(from: query.header)
        var response = Message(header: header, questions: query.questions)
        if let queryEDNS = query.edns {
            response.edns = EDNS(udpPayloadSize: udpPayloadSize, dnssecOK: queryEDNS.dnssecOK)
        }
        response.rcode = rcode
        return response
    }
}

extension Header {
    /// Peeks at the header of a packet that may not parse in full, so a FORMERR can echo its
    /// ID and opcode. nil when not even 12 bytes are there (such packets are dropped).
    public static func peek(_ bytes: [UInt8]) -> Header? {
        guard bytes.count >= 12 else { return nil }
        var header = Header(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        header.flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        return header
    }

    mutating func copyRequestFlags(from query: Header) {
        recursionDesired = query.recursionDesired
        checkingDisabled = query.checkingDisabled
    }
}
