import DNSProto

/// The blocklists' part of admission (Blocklists.swift, docs/policy.md): the decision on the
/// query name, and the blocked answer written straight into the UDP worker's buffer.
extension Admission {
    /// The rejection for a blocked `name` (an uncompressed wire name in any letter case) for
    /// `client`, counted for its list; nil when no list applies, an exception wins, or blocking
    /// is paused.
    func blocking(_ name: UnsafeRawBufferPointer, client: ClientAddress?) -> Rejection? {
        guard let blocklists, !policyState.isPaused(), name.count <= 255 else { return nil }
        let hit = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 255) { buffer -> Blocklists.Hit? in
            for index in 0..<name.count { buffer[index] = name[index] }
            // Lower-case the labels' bytes, not the length bytes (a length of 0x41-0x5A is not "A"-"Z").
            var at = 0
            while at < name.count, buffer[at] != 0 {
                let end = min(at + Int(buffer[at]), name.count - 1)
                if at < end { for index in (at + 1)...end where buffer[index] &- 0x41 < 26 { buffer[index] |= 0x20 } }
                at = end + 1
            }
            return blocklists.blocking(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<name.count]), client: client)
        }
        guard let hit else { return nil }
        policyState.countBlocked(slot: listSlots[hit.list])
        return .blocked("policy:" + blocklists.lists[hit.list].name, blocklists.answer, ttl: blocklists.ttl)
    }

    /// The rcode a blocked answer of kind `answer` carries.
    static func rcode(of answer: Blocklists.Answer) -> Rcode {
        switch answer {
        case .nxdomain: return .nxDomain
        case .nodata, .null: return .noError
        case .refused: return .refused
        }
    }

    /// Writes the blocked answer to the wire query `request` into `out`: header, question,
    /// for `null` the 0.0.0.0 or :: record, and for a client with EDNS an OPT carrying extended
    /// error 15 "Blocked" (RFC 8914) with the list's name.
    func writeBlocked(_ why: String, answer: Blocklists.Answer, ttl: UInt32, request: UnsafeRawBufferPointer, query: PacketQuery,
                      udpSize: UInt16, into out: UnsafeMutableRawBufferPointer) -> (length: Int, optStart: Int?)? {
        let rcode = Self.rcode(of: answer).rawValue
        let questionEnd = query.nameEnd + 4
        let clientEDNS = query.meta & (1 << 16) != 0
        var at = 0
        func put(_ bytes: [UInt8]) { for byte in bytes { out[at] = byte; at += 1 } }
        let addressLength: Int? = answer != .null ? nil : query.type == RecordType.a.rawValue ? 4 : query.type == RecordType.aaaa.rawValue ? 16 : nil
        put([request[0], request[1], 0x80 | request[2] & 0x01, 0x80 | request[3] & 0x10 | UInt8(rcode & 0x0F),
             0, 1, 0, addressLength == nil ? 0 : 1, 0, 0, 0, clientEDNS ? 1 : 0])
        for index in 12..<questionEnd { out[index] = request[index] }
        at = questionEnd
        if let addressLength {
            put([0xC0, 0x0C, UInt8(query.type >> 8), UInt8(truncatingIfNeeded: query.type), request[questionEnd - 2], request[questionEnd - 1],
                 UInt8(ttl >> 24), UInt8(truncatingIfNeeded: ttl >> 16), UInt8(truncatingIfNeeded: ttl >> 8), UInt8(truncatingIfNeeded: ttl),
                 0, UInt8(addressLength)])
            put(Array(repeating: 0, count: addressLength))
        }
        guard clientEDNS else { return (at, nil) }
        let optStart = at
        let text = Array(why.utf8.prefix(200))
        let ede: [UInt8] = [0, UInt8(EDNSOption.extendedErrorCode), UInt8((text.count + 2) >> 8), UInt8(truncatingIfNeeded: text.count + 2),
                            0, UInt8(ExtendedErrorCode.blocked)] + text
        put([0, 0, 41, UInt8(udpSize >> 8), UInt8(truncatingIfNeeded: udpSize), 0, 0, query.dnssecOK ? 0x80 : 0, 0,
             UInt8(ede.count >> 8), UInt8(truncatingIfNeeded: ede.count)])
        put(ede)
        return (at, optStart)
    }
}
