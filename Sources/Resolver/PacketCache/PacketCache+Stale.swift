import DNSProto

extension PacketCache {
    /// Writes `entry`'s answer to `query` (`bytes`) served stale (RFC 8767 §4), as the `cache`
    /// plugin renders one: the query's ID and question case, every TTL at most `staleTTL`, and
    /// for EDNS clients extended error 3 "Stale Answer" (RFC 8914) added to the OPT record
    /// (the entry's last record, so its data ends the message) when it still fits what the
    /// client can take. Returns the length, or nil when even the answer alone does not fit.
    static func writeStale(_ entry: PacketCacheEntry, query: PacketQuery, bytes: UnsafeRawBufferPointer, staleTTL: UInt32,
                           into out: UnsafeMutableRawBufferPointer) -> Int? {
        let staleOption: [UInt8] = [0, UInt8(EDNSOption.extendedErrorCode), 0, 2, 0, UInt8(ExtendedErrorCode.staleAnswer)]
        let room = min(out.count, query.limit)
        guard entry.wire.count <= room else { return nil }
        let withOption = entry.optStart != nil && entry.wire.count + staleOption.count <= room
        let length = entry.wire.count + (withOption ? staleOption.count : 0)
        entry.wire.withUnsafeBytes { out.copyMemory(from: $0) }
        out[0] = bytes[0]
        out[1] = bytes[1]
        for index in 12..<query.nameEnd { out[index] = bytes[index] }
        for offset in entry.ttlOffsets {
            let at = Int(offset)
            let stored = UInt32(out[at]) << 24 | UInt32(out[at + 1]) << 16 | UInt32(out[at + 2]) << 8 | UInt32(out[at + 3])
            let ttl = min(stored, staleTTL)
            out[at] = UInt8(truncatingIfNeeded: ttl >> 24)
            out[at + 1] = UInt8(truncatingIfNeeded: ttl >> 16)
            out[at + 2] = UInt8(truncatingIfNeeded: ttl >> 8)
            out[at + 3] = UInt8(truncatingIfNeeded: ttl)
        }
        if withOption, let optStart = entry.optStart {
            let dataLength = (Int(out[optStart + 9]) << 8 | Int(out[optStart + 10])) + staleOption.count
            out[optStart + 9] = UInt8(truncatingIfNeeded: dataLength >> 8)
            out[optStart + 10] = UInt8(truncatingIfNeeded: dataLength)
            for (index, byte) in staleOption.enumerated() { out[entry.wire.count + index] = byte }
        }
        return length
    }
}
