/// What the packet cache reads from a raw query without parsing it into a `Message`: the
/// question's place in the datagram, the flags the answer depends on, and the hash it is filed
/// under. Only plain queries qualify (opcode QUERY, one question, no other records but one OPT
/// whose options are at most a COOKIE); anything else takes the full path, which owns every
/// error and edge case.
public struct PacketQuery: Sendable {
    /// End of the question name (offset 12 is its start), so the name is `12..<nameEnd`.
    let nameEnd: Int
    /// QTYPE and QCLASS, read at `nameEnd`.
    let type: UInt16
    let recordClass: UInt16
    /// Everything besides the question that shapes the answer: header bytes 2-3 (RD, AD, CD,
    /// ...), whether OPT was sent, the DO bit, and the UDP size the answer must fit.
    let meta: UInt64
    /// Bytes the answer may have (RFC 6891 §6.2.5, as `QueryHandler.responseSizeLimit`).
    let limit: Int
    let dnssecOK: Bool
    let hash: UInt64
    /// Where the COOKIE option's data starts (0: none) and its length, for admission.
    let cookieOffset: Int
    let cookieLength: Int

    /// nil when the query is not a plain one (see the type's comment).
    init?(_ bytes: UnsafeRawBufferPointer, transportLimit: Int?, maxUDPPayload: UInt16) {
        let count = bytes.count
        guard count >= 17, bytes[2] & 0xF8 == 0 else { return nil }  // QR = 0, opcode QUERY
        guard bytes[4] == 0, bytes[5] == 1, bytes[6] == 0, bytes[7] == 0, bytes[8] == 0, bytes[9] == 0,
              bytes[10] == 0, bytes[11] <= 1 else { return nil }
        var offset = 12
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while true {
            guard offset < count else { return nil }
            let length = Int(bytes[offset])
            // Compression pointers have no business in a query's only name: full path.
            guard length & 0xC0 == 0, offset + length + 1 <= count, offset - 12 + length + 1 <= 255 else { return nil }
            hash = (hash ^ UInt64(length)) &* 0x100_0000_01b3
            offset += 1
            if length == 0 { break }
            for index in offset..<(offset + length) {
                let byte = bytes[index]
                hash = (hash ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) &* 0x100_0000_01b3
            }
            offset += length
        }
        nameEnd = offset
        guard offset + 4 <= count else { return nil }
        type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        recordClass = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
        // Meta types (AXFR, IXFR, ANY, ...) get the full path's rules.
        guard type < 128 || type > 255 else { return nil }
        offset += 4
        var meta = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
        var dnssecOK = false
        var limit = 512
        var cookieOffset = 0
        var cookieLength = 0
        if bytes[11] == 1 {
            // OPT: root owner, TYPE 41, CLASS = UDP size, TTL = ext-rcode, version, flags.
            guard offset + 11 <= count, bytes[offset] == 0, bytes[offset + 1] == 0, bytes[offset + 2] == 41,
                  bytes[offset + 6] == 0 else { return nil }  // version 0 only (else BADVERS)
            let size = UInt16(bytes[offset + 3]) << 8 | UInt16(bytes[offset + 4])
            dnssecOK = bytes[offset + 7] & 0x80 != 0
            let rdLength = Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10])
            offset += 11
            guard offset + rdLength == count else { return nil }
            while offset < count {
                guard offset + 4 <= count else { return nil }
                let code = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
                let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                // A COOKIE is ignored by dnsd; ECS, padding and the rest change the answer.
                // A malformed cookie is the full path's to answer (FORMERR, RFC 7873 §5.2.2).
                guard code == 10, offset + 4 + length <= count, length == 8 || (16...40).contains(length) else { return nil }
                cookieOffset = offset + 4
                cookieLength = length
                offset += 4 + length
            }
            limit = Int(max(512, min(size, maxUDPPayload)))
            meta |= 1 << 16 | (dnssecOK ? 1 << 17 : 0)
        } else {
            guard offset == count else { return nil }
        }
        if let transportLimit { limit = transportLimit }
        meta |= UInt64(limit) << 24
        self.meta = meta
        self.limit = limit
        self.dnssecOK = dnssecOK
        self.cookieOffset = cookieOffset
        self.cookieLength = cookieLength
        hash = (hash ^ UInt64(type)) &* 0x100_0000_01b3
        hash = (hash ^ UInt64(recordClass)) &* 0x100_0000_01b3
        hash = (hash ^ meta) &* 0x100_0000_01b3
        self.hash = hash
    }

    /// Whether `name` (lower-cased wire form), `type` and `recordClass` are this query's
    /// question, ignoring the case of the query's name.
    func matches(name: [UInt8], type: UInt16, recordClass: UInt16, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard name.count == nameEnd - 12, type == self.type, recordClass == self.recordClass else { return false }
        return name.withUnsafeBufferPointer { name in
            for index in 0..<name.count {
                let byte = bytes[12 + index]
                let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if lowered != name[index] { return false }
            }
            return true
        }
    }

    /// Whether the message in `bytes` (a response) has this query's question at offset 12.
    func isAnswered(by name: [UInt8], in bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= nameEnd + 4 else { return false }
        let type = UInt16(bytes[nameEnd]) << 8 | UInt16(bytes[nameEnd + 1])
        let recordClass = UInt16(bytes[nameEnd + 2]) << 8 | UInt16(bytes[nameEnd + 3])
        return matches(name: name, type: type, recordClass: recordClass, in: bytes)
    }
}
