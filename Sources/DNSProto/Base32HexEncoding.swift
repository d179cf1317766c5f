/// Base 32 with the "extended hex" alphabet (RFC 4648 §7), without padding, as NSEC3 uses it
/// for hashed owner names (RFC 5155 §3.3). The alphabet keeps the sort order of the bytes, so
/// hashed names sort like the hashes they encode.
public enum Base32HexEncoding {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    /// Lower-case digits, no padding (the form RFC 5155's examples and owner names use).
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Either case, no padding. nil for a character outside the alphabet (including `=`), a
    /// length no byte count produces (1, 3 or 6 digits past a multiple of 8), or non-zero
    /// bits after the last byte, so every byte string has exactly one accepted spelling
    /// apart from case (RFC 4648 §3.5).
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for char in text.utf8 {
            guard let value = value(char) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits are padding of the last digit: fewer than 5 of them, all zero.
        guard bits < 5, buffer == 0 else { return nil }
        return out
    }

    private static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case 48...57: return char - 48          // 0-9
        case 65...86: return char - 65 + 10     // A-V
        case 97...118: return char - 97 + 10    // a-v
        default: return nil
        }
    }
}
