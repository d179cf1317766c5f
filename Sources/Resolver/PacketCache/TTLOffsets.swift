/// Where the TTL fields of an answer are: up to four offsets packed into one word (nearly
/// every answer has one to four records), more in an array. The packed form saves an array
/// allocation per answer read and per packet-cache entry (about 64 bytes with malloc's
/// rounding). Offsets are never 0 (the header comes first), so 0 marks an unused slot.
struct TTLOffsets: RandomAccessCollection, Sendable {
    private var packed: UInt64 = 0
    private var overflow: [UInt16] = []

    init() {}

    init(_ offsets: [UInt16]) {
        for offset in offsets { append(offset) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { overflow.isEmpty ? packedCount : overflow.count }

    /// Slots are filled in order and hold non-zero values, so the highest used bit says how many.
    private var packedCount: Int { (64 - packed.leadingZeroBitCount + 15) / 16 }

    subscript(position: Int) -> UInt16 {
        guard overflow.isEmpty else { return overflow[position] }
        precondition(position >= 0 && position < packedCount, "TTLOffsets index out of range")
        return UInt16(truncatingIfNeeded: packed >> (16 * UInt64(position)))
    }

    mutating func append(_ offset: UInt16) {
        if overflow.isEmpty {
            let count = packedCount
            if offset != 0 && count < 4 {
                packed |= UInt64(offset) << (16 * UInt64(count))
                return
            }
            overflow = Array(self)
            packed = 0
        }
        overflow.append(offset)
    }
}
