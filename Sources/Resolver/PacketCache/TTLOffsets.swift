/// Where the TTL fields of a packet-cache answer are: up to four offsets packed into one word
/// (nearly every answer has one to four records), more in an array. The packed form saves the
/// array allocation, about 64 bytes per entry with malloc's rounding. Offsets are never 0 (the
/// header comes first), so 0 marks an unused slot.
struct TTLOffsets: Sequence, Sendable {
    private var packed: UInt64 = 0
    private var overflow: [UInt16] = []

    init(_ offsets: [UInt16]) {
        guard offsets.count <= 4, !offsets.contains(0) else {
            overflow = offsets
            return
        }
        for (slot, offset) in offsets.enumerated() { packed |= UInt64(offset) << (16 * UInt64(slot)) }
    }

    func makeIterator() -> Iterator { Iterator(packed: packed, overflow: overflow.makeIterator()) }

    struct Iterator: IteratorProtocol {
        var packed: UInt64
        var overflow: IndexingIterator<[UInt16]>

        mutating func next() -> UInt16? {
            guard packed != 0 else { return overflow.next() }
            defer { packed >>= 16 }
            return UInt16(truncatingIfNeeded: packed)
        }
    }
}
