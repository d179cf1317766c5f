/// Letter-case operations on a name's wire form, for DNS 0x20 (draft-vixie-dnsext-dns0x20):
/// the query goes out with random case and the answer's names are given their own spelling back.
/// Both work on the bytes: length bytes are at most 63, below every letter, so they are never
/// taken for one, and no label array is built (they run once per upstream query).
extension DNSName {
    /// This name with the case of each ASCII letter chosen by the next bit of `generator`.
    public func randomizingCase<G: RandomNumberGenerator>(using generator: inout G) -> DNSName {
        var bytes = wire
        var bits: UInt64 = generator.next()
        var used = 0
        for index in bytes.indices {
            let lower = bytes[index] | 0x20
            guard lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { continue }
            if used == 64 { bits = generator.next(); used = 0 }
            bytes[index] = bits & 1 == 0 ? lower : lower & ~0x20
            bits >>= 1
            used += 1
        }
        return DNSName(uncheckedWire: bytes)
    }

    /// This name with the labels it shares at its end with `reference` (compared without case)
    /// spelt as in `reference`; the name itself when they share none.
    public func respellingSharedSuffix(as reference: DNSName) -> DNSName {
        let own = wire, other = reference.wire
        // Label starts from the first (longest suffix) on: the first aligned suffix that matches
        // is the longest shared one. The root label always matches, so skip it as "shared".
        var start = 0
        while start < own.count - 1 {
            let length = own.count - start
            let otherStart = other.count - length
            if otherStart >= 0, Self.isLabelStart(otherStart, in: other), Self.equalIgnoringCase(own, from: start, other, from: otherStart) {
                if start == 0, otherStart == 0 { return reference }
                if own[start...].elementsEqual(other[otherStart...]) { return self }
                return DNSName(uncheckedWire: Array(own[..<start]) + other[otherStart...])
            }
            start += Int(own[start]) + 1
        }
        return self
    }

    private static func isLabelStart(_ offset: Int, in bytes: [UInt8]) -> Bool {
        var start = 0
        while start < offset { start += Int(bytes[start]) + 1 }
        return start == offset
    }

    private static func equalIgnoringCase(_ a: [UInt8], from aStart: Int, _ b: [UInt8], from bStart: Int) -> Bool {
        var i = aStart, j = bStart
        while i < a.count {
            if lower(a[i]) != lower(b[j]) { return false }
            i += 1
            j += 1
        }
        return true
    }
}
