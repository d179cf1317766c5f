/// SipHash-2-4 (Aumasson and Bernstein), the keyed hash RFC 9018 names for interoperable DNS
/// server cookies. swift-crypto does not offer it and the standard library's `Hasher` is
/// SipHash-1-3 with a per-process seed, so it is written out here; RFC 9018's test vectors
/// check it (AdmissionTests).
struct SipHash24 {
    private var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64
    private var tail: UInt64 = 0
    private var tailBytes = 0
    private var length = 0

    /// `key`: the 16-byte secret, read as two little-endian words.
    init(key: (UInt64, UInt64)) {
        v0 = key.0 ^ 0x736F_6D65_7073_6575
        v1 = key.1 ^ 0x646F_7261_6E64_6F6D
        v2 = key.0 ^ 0x6C79_6765_6E65_7261
        v3 = key.1 ^ 0x7465_6462_7974_6573
    }

    /// The two key words of a 16-byte secret.
    static func key(_ secret: [UInt8]) -> (UInt64, UInt64) {
        var k0: UInt64 = 0, k1: UInt64 = 0
        for index in (0..<8).reversed() {
            k0 = k0 << 8 | UInt64(secret[index])
            k1 = k1 << 8 | UInt64(secret[index + 8])
        }
        return (k0, k1)
    }

    mutating func append(_ byte: UInt8) {
        tail |= UInt64(byte) << UInt64(8 * tailBytes)
        tailBytes += 1
        length += 1
        if tailBytes == 8 {
            compress(tail)
            tail = 0
            tailBytes = 0
        }
    }

    /// The low `bytes` bytes of `word`, most significant first (network order).
    mutating func appendBigEndian(_ word: UInt64, bytes: Int) {
        for index in (0..<bytes).reversed() { append(UInt8(truncatingIfNeeded: word >> UInt64(8 * index))) }
    }

    /// The 64-bit result; its wire form is little-endian (the reference implementation's output).
    mutating func finalize() -> UInt64 {
        compress(tail | UInt64(length & 0xFF) << 56)
        v2 ^= 0xFF
        for _ in 0..<4 { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }

    private mutating func compress(_ word: UInt64) {
        v3 ^= word
        round()
        round()
        v0 ^= word
    }

    private mutating func round() {
        v0 &+= v1; v1 = rotate(v1, 13); v1 ^= v0; v0 = rotate(v0, 32)
        v2 &+= v3; v3 = rotate(v3, 16); v3 ^= v2
        v0 &+= v3; v3 = rotate(v3, 21); v3 ^= v0
        v2 &+= v1; v1 = rotate(v1, 17); v1 ^= v2; v2 = rotate(v2, 32)
    }

    private func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 { value << bits | value >> (64 - bits) }
}
