import DNSProto

/// An upstream's UDP answer as the relay reads it, without parsing it into a `Message`: where
/// its records' TTLs are, where its OPT record is, and for negative answers the SOA that
/// bounds how long they may be kept. Then the two things the relay makes of it: the client's
/// answer (written exactly as the full path's `forward` would send it) and the packet-cache
/// entry (kept exactly as long as a `cache` would keep it).
struct RelayedAnswer {
    /// Offsets of every record's TTL field but the OPT's, in message order.
    private(set) var ttlOffsets = TTLOffsets()
    private(set) var answerCount = 0
    private(set) var authorityCount = 0
    /// Where the OPT record starts (it must be the last record), or the message's length.
    private(set) var bodyEnd = 0
    private(set) var hasOPT = false
    /// The upper 8 bits of the 12-bit rcode (RFC 6891 §6.1.3), from the OPT's TTL field.
    private(set) var extendedRcode: UInt8 = 0
    /// The upstream OPT's extended DNS errors (RFC 8914), as option bytes to pass on.
    private(set) var extendedErrors: ArraySlice<UInt8> = []
    /// The scope prefix of the upstream's client-subnet option (RFC 7871), when it sent one: an
    /// answer with a scope above 0 is for that subnet only.
    private(set) var subnetScope: UInt8?
    /// The first SOA in the authority section: the index of its TTL in `ttlOffsets`, and its
    /// MINIMUM field.
    private(set) var soa: (index: Int, minimum: UInt32)?

    /// nil when `bytes` does not walk cleanly, has records after its OPT, or more than one OPT:
    /// the full path owns such answers.
    init?(_ bytes: UnsafeRawBufferPointer, nameEnd: Int) {
        let count = bytes.count
        guard count >= nameEnd + 4, count <= Int(UInt16.max) else { return nil }
        func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        answerCount = u16(6)
        authorityCount = u16(8)
        let records = answerCount + authorityCount + u16(10)
        var offset = nameEnd + 4
        bodyEnd = count
        for index in 0..<records {
            guard !hasOPT, let end = Self.skipName(bytes, from: offset), end + 10 <= count else { return nil }
            let type = u16(end)
            let next = end + 10 + u16(end + 8)
            guard next <= count else { return nil }
            if type == 41 {
                guard index >= answerCount + authorityCount else { return nil }
                hasOPT = true
                bodyEnd = offset
                extendedRcode = bytes[end + 4]
                (extendedErrors, subnetScope) = Self.options(bytes, from: end + 10, to: next)
            } else {
                if type == 6, soa == nil, index >= answerCount, index < answerCount + authorityCount, next - end - 10 >= 22 {
                    let minimum = UInt32(bytes[next - 4]) << 24 | UInt32(bytes[next - 3]) << 16 | UInt32(bytes[next - 2]) << 8 | UInt32(bytes[next - 1])
                    soa = (ttlOffsets.count, minimum)
                }
                ttlOffsets.append(UInt16(end + 4))
            }
            offset = next
        }
        guard offset == count else { return nil }
    }

    /// The offset just past the (possibly compressed) name at `start`, without following
    /// pointers; nil when it runs off the end, uses a reserved label type, or has a pointer
    /// that is not to a prior name past the header (RFC 1035 §4.1.4). A pointer into the
    /// header or forward (into the OPT the relay replaces) reads differently once the relay
    /// has rewritten those bytes: the client would get another name than the upstream sent.
    static func skipName(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var offset = start
        while offset < bytes.count {
            let length = Int(bytes[offset])
            if length & 0xC0 == 0xC0 {
                guard offset + 1 < bytes.count else { return nil }
                let target = (length & 0x3F) << 8 | Int(bytes[offset + 1])
                return target >= 12 && target < start ? offset + 2 : nil
            }
            guard length & 0xC0 == 0 else { return nil }
            offset += 1 + length
            if length == 0 { return offset }
        }
        return nil
    }

    /// The OPT's extended errors, as option bytes, and the scope of its client-subnet option.
    private static func options(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> (ArraySlice<UInt8>, UInt8?) {
        var kept: [UInt8] = []
        var scope: UInt8?
        var offset = start
        while offset + 4 <= end {
            let code = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard offset + 4 + length <= end else { break }
            if code == Int(EDNSOption.extendedErrorCode) { kept.append(contentsOf: bytes[offset..<(offset + 4 + length)]) }
            if code == Int(EDNSOption.clientSubnetCode), length >= 4 { scope = bytes[offset + 7] }
            offset += 4 + length
        }
        return (kept[...], scope)
    }

    /// The rcode as the client sees it: 12 bits with EDNS, and an extended one said as
    /// SERVFAIL without (it cannot be said there, RFC 6891 §6.1.3).
    func rcode(_ bytes: UnsafeRawBufferPointer, clientEDNS: Bool) -> UInt16 {
        let low = UInt16(bytes[3] & 0x0F)
        guard extendedRcode != 0 else { return low }
        return clientEDNS ? UInt16(extendedRcode) << 4 | low : 2
    }

    /// Writes the client's answer into `out`: the upstream's message with the client's ID, RD,
    /// CD and question (its case), and instead of the upstream's OPT our own (`udpSize`, DO as
    /// the client asked, the upstream's extended errors) for a client that sent one, none for
    /// one that did not (ForwardPlugin.response, QueryHandler.respond). Returns its length, or
    /// nil when it does not fit in `limit` (the full path truncates it properly).
    func writeAnswer(from bytes: UnsafeRawBufferPointer, request: UnsafeRawBufferPointer, query: PacketQuery,
                     udpSize: UInt16, limit: Int, into out: UnsafeMutableRawBufferPointer) -> Int? {
        let clientEDNS = query.meta & (1 << 16) != 0
        let length = bodyEnd + (clientEDNS ? 11 + extendedErrors.count : 0)
        guard length <= limit, length <= out.count else { return nil }
        out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<bodyEnd]))
        out[0] = request[0]
        out[1] = request[1]
        out[2] = bytes[2] & ~0x01 | request[2] & 0x01
        out[3] = bytes[3] & ~0x10 | request[3] & 0x10
        for index in 12..<query.nameEnd { out[index] = request[index] }
        var additional = Int(bytes[10]) << 8 | Int(bytes[11])
        if hasOPT { additional -= 1 }
        if clientEDNS {
            additional += 1
            var at = bodyEnd
            let optBytes: [UInt8] = [
                0, 0, 41, UInt8(udpSize >> 8), UInt8(truncatingIfNeeded: udpSize),
                extendedRcode, 0, query.dnssecOK ? 0x80 : 0, 0,
                UInt8(extendedErrors.count >> 8), UInt8(truncatingIfNeeded: extendedErrors.count),
            ]
            for byte in optBytes { out[at] = byte; at += 1 }
            for byte in extendedErrors { out[at] = byte; at += 1 }
        } else if extendedRcode != 0 {
            out[3] = out[3] & 0xF0 | 2
        }
        out[10] = UInt8(additional >> 8)
        out[11] = UInt8(truncatingIfNeeded: additional)
        return length
    }

    /// Under 0x20: gives the client back its own spelling in the owner names that spell out
    /// the name sent (case for case) rather than point at the question, which `writeAnswer`
    /// already gave the client's spelling: as the full path's `forward` restores owner names.
    /// A name spelled out whole counts, and one whose first labels are spelled out and whose
    /// rest points at the question's; one that points elsewhere keeps the case sent (names
    /// compare without case, RFC 4343: only the looks differ). `bytes` is the upstream's
    /// answer, `answer` what `writeAnswer` wrote from it (same offsets up to `bodyEnd`), `sent`
    /// the name sent and `request` the client's query.
    func restoreCase(_ answer: UnsafeMutableRawBufferPointer, from bytes: UnsafeRawBufferPointer, sent: [UInt8],
                     request: UnsafeRawBufferPointer) {
        var start = 12 + sent.count + 4
        for ttl in ttlOffsets {
            if let spelled = Self.spelledOut(sent, in: bytes, at: start) {
                for index in 0..<spelled { answer[start + index] = request[12 + index] }
            }
            let ttlAt = Int(ttl)
            start = ttlAt + 6 + (Int(bytes[ttlAt + 4]) << 8 | Int(bytes[ttlAt + 5]))
        }
    }

    /// When the name at `start` is `sent` byte for byte, its labels written there until its
    /// end or a pointer to the rest of the question's name: how many bytes are written there.
    private static func spelledOut(_ sent: [UInt8], in bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
        var at = start
        var index = 0
        while at < bytes.count {
            let length = Int(bytes[at])
            if length & 0xC0 == 0xC0 {
                guard at + 1 < bytes.count, (length & 0x3F) << 8 | Int(bytes[at + 1]) == 12 + index else { return nil }
                return index
            }
            guard length & 0xC0 == 0, at + 1 + length <= bytes.count, index + 1 + length <= sent.count else { return nil }
            for offset in 0...length where bytes[at + offset] != sent[index + offset] { return nil }
            index += 1 + length
            at += 1 + length
            if length == 0 { return index == sent.count ? index : nil }
        }
        return nil
    }

    /// Turns `answer` (written by `writeAnswer`, in place) into what a cache would serve and
    /// returns how long it may be kept, or returns nil and leaves it alone when a cache would
    /// not keep it. The rules are `CachedAnswer.make`'s: NOERROR or NXDOMAIN only, never
    /// truncated; TTLs raised to `min_ttl` and lowered to `max_ttl`; a negative answer lives
    /// min(SOA TTL, SOA MINIMUM, `negative_ttl`) and without an SOA not at all (RFC 2308 §5);
    /// the entry lives as long as its shortest record. Served as a cache serves: AA clear, AD
    /// only when asked (RFC 6840 §5.8).
    func makeCacheable(_ answer: UnsafeMutableRawBufferPointer, query: PacketQuery, request: UnsafeRawBufferPointer,
                       settings: CacheSettings) -> UInt32? {
        guard answer[2] & 0x02 == 0, extendedRcode == 0 else { return nil }
        let rcode = answer[3] & 0x0F
        guard rcode == 0 || rcode == 3 else { return nil }
        let negative = rcode == 3 || answerCount == 0
        if negative && soa == nil { return nil }
        func kept(_ index: Int) -> UInt32 {
            let at = Int(ttlOffsets[index])
            let value = UInt32(answer[at]) << 24 | UInt32(answer[at + 1]) << 16 | UInt32(answer[at + 2]) << 8 | UInt32(answer[at + 3])
            if negative, let soa, index == soa.index { return min(value, soa.minimum, settings.negativeTTL, settings.maxTTL) }
            return min(max(value, settings.minTTL), settings.maxTTL)
        }
        // Decide first, so an answer no cache keeps goes out exactly as the upstream sent it.
        let ttl = ttlOffsets.indices.reduce(UInt32.max) { min($0, kept($1)) }
        guard ttl > 0, ttl != UInt32.max else { return nil }
        for index in ttlOffsets.indices {
            let at = Int(ttlOffsets[index])
            let value = kept(index)
            answer[at] = UInt8(truncatingIfNeeded: value >> 24)
            answer[at + 1] = UInt8(truncatingIfNeeded: value >> 16)
            answer[at + 2] = UInt8(truncatingIfNeeded: value >> 8)
            answer[at + 3] = UInt8(truncatingIfNeeded: value)
        }
        answer[2] &= ~0x04
        if request[3] & 0x20 == 0 && !query.dnssecOK { answer[3] &= ~0x20 }
        return ttl
    }
}
