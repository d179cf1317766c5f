/// A set of domain names, each standing for itself and every name below it: what a blocklist
/// or an allowlist holds. Built once per configuration generation, then only read, by every
/// UDP worker at once, on wire data and without allocating.
///
/// A million names is the size operators load (docs/policy.md), so the layout is compact: the
/// names' lower-cased wire bytes one after another in one array, each preceded by the 4-byte
/// line it came from, and an open-addressing table of 32-bit offsets into it kept at most half
/// full. That is the name's bytes plus about 12 bytes per entry; a `Set<[UInt8]>` would add an
/// array header and a heap block to every name. Slots are found by Swift's `Hasher`, seeded
/// per process, so no one can pick query names that pile into one slot.
public struct DomainSet: Sendable {
    /// [line: 4 bytes, big-endian][lower-cased wire name, ending in its root byte], repeated.
    private var arena: [UInt8] = []
    /// 0 for an empty slot, else 1 + the entry's offset in `arena`.
    private var slots: [UInt32] = Array(repeating: 0, count: 16)
    public private(set) var count = 0

    public init() {}

    /// The entry's own bytes and everything before them: the memory a name costs here.
    public var bytesUsed: Int { arena.capacity + slots.capacity * MemoryLayout<UInt32>.stride }

    /// Adds `name` (a lower-cased wire name) from source line `line`; false when it was
    /// already there (the first line is kept).
    @discardableResult
    public mutating func insert(_ name: [UInt8], line: UInt32) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let found = name.withUnsafeBytes { probe($0) }
        guard found.offset == nil else { return false }
        slots[found.slot] = UInt32(arena.count + 1)
        arena.append(contentsOf: [UInt8(line >> 24), UInt8(truncatingIfNeeded: line >> 16), UInt8(truncatingIfNeeded: line >> 8),
                                  UInt8(truncatingIfNeeded: line)])
        arena.append(contentsOf: name)
        count += 1
        return true
    }

    /// Gives back the arena's room to grow once loading is done (up to half of it).
    public mutating func compact() {
        arena = arena.withUnsafeBufferPointer { Array($0) }
    }

    /// Whether `name` (a lower-cased, uncompressed wire name) or a name above it is in the set:
    /// the line of the longest such entry and where in `name` its suffix starts, or nil.
    public func match(_ name: UnsafeRawBufferPointer) -> (line: UInt32, suffixStart: Int)? {
        guard count > 0 else { return nil }
        var start = 0
        while start < name.count, name[start] != 0 {
            let suffix = UnsafeRawBufferPointer(rebasing: name[start...])
            if let offset = probe(suffix).offset {
                let line = UInt32(arena[offset]) << 24 | UInt32(arena[offset + 1]) << 16 | UInt32(arena[offset + 2]) << 8 | UInt32(arena[offset + 3])
                return (line, start)
            }
            start += Int(name[start]) + 1
        }
        return nil
    }

    /// The slot holding `name` (its entry's offset set) or the empty slot where it would go.
    private func probe(_ name: UnsafeRawBufferPointer) -> (slot: Int, offset: Int?) {
        let length = Self.wireLength(name)
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: name[0..<length]))
        let mask = slots.count - 1
        var slot = hasher.finalize() & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { return (slot, nil) }
            let offset = Int(stored - 1)
            if equals(name, length: length, at: offset + 4) { return (slot, offset) }
            slot = (slot + 1) & mask
        }
    }

    private func equals(_ name: UnsafeRawBufferPointer, length: Int, at start: Int) -> Bool {
        guard start + length <= arena.count else { return false }
        for index in 0..<length where arena[start + index] != name[index] { return false }
        return true
    }

    /// The length of the wire name at the start of `name`, its root byte included.
    private static func wireLength(_ name: UnsafeRawBufferPointer) -> Int {
        var at = 0
        while at < name.count, name[at] != 0 { at += Int(name[at]) + 1 }
        return min(at + 1, name.count)
    }

    private mutating func grow() {
        var grown = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = grown.count - 1
        arena.withUnsafeBytes { bytes in
            for stored in slots where stored != 0 {
                let name = UnsafeRawBufferPointer(rebasing: bytes[(Int(stored - 1) + 4)...])
                var hasher = Hasher()
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: name[0..<Self.wireLength(name)]))
                var slot = hasher.finalize() & mask
                while grown[slot] != 0 { slot = (slot + 1) & mask }
                grown[slot] = stored
            }
        }
        slots = grown
    }
}
