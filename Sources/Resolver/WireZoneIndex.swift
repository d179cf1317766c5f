/// Zones matched against a raw question name (no `DNSName` made): what the UDP workers use to
/// find a query's server block before parsing it (the relay's routes, the block's access
/// rules). Zones are kept longest first, as `Pipeline` orders them, so the first match is the
/// block the pipeline would pick.
struct WireZoneIndex<Value: Sendable>: Sendable {
    /// (zone in lower-cased wire form, what it maps to).
    let zones: [(wire: [UInt8], value: Value)]

    init(_ zones: [(wire: [UInt8], value: Value)]) { self.zones = zones }

    /// The value of the longest zone containing the question name at `bytes[12..<nameEnd]`
    /// (uncompressed, validated by `PacketQuery`), or nil when none does.
    func lookup(_ bytes: UnsafeRawBufferPointer, nameEnd: Int) -> Value? {
        for zone in zones {
            // The zone can only sit at the end of the name, starting on a label boundary.
            let start = nameEnd - zone.wire.count
            guard start >= 12 else { continue }
            var boundary = 12
            while boundary < start { boundary += Int(bytes[boundary]) + 1 }
            guard boundary == start else { continue }
            var same = true
            for index in 0..<zone.wire.count {
                let byte = bytes[start + index]
                if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != zone.wire[index] { same = false; break }
            }
            if same { return zone.value }
        }
        return nil
    }
}
