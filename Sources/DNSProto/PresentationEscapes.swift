/// The backslash escapes of RFC 1035 §5.1 shared by names and character-strings.
public enum PresentationEscapes {
    /// Decodes `\X` or `\DDD` starting at `index` (which holds the backslash).
    /// Returns the byte and how many input bytes it took.
    public static func decodeEscape(_ text: [UInt8], at index: Int) throws -> (UInt8, Int) {
        guard index + 1 < text.count else { throw DNSNameError.badEscape("trailing backslash") }
        let next = text[index + 1]
        guard isDigit(next) else { return (next, 2) }
        guard index + 3 < text.count, isDigit(text[index + 2]), isDigit(text[index + 3]) else {
            throw DNSNameError.badEscape("\\" + String(decoding: text[(index + 1)..<min(text.count, index + 4)], as: UTF8.self))
        }
        let value = Int(next - 48) * 100 + Int(text[index + 2] - 48) * 10 + Int(text[index + 3] - 48)
        guard value <= 255 else { throw DNSNameError.badEscape("\\\(value) is above 255") }
        return (UInt8(value), 4)
    }

    /// Decodes every escape in `text` (used for character-strings, where `.` is plain).
    public static func decode(_ text: String) throws -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\") {
                let (value, consumed) = try decodeEscape(utf8, at: index)
                out.append(value)
                index += consumed
            } else {
                out.append(utf8[index])
                index += 1
            }
        }
        return out
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// Appends a label with `.`, `\`, quotes, parentheses, `;`, `@`, `$` and whitespace escaped,
    /// and non-printable bytes as `\DDD`.
    public static func appendEscapedLabel(_ label: some Collection<UInt8>, to out: inout String) {
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                 UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                out.append("\\")
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x21...0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                appendDecimalEscape(byte, to: &out)
            }
        }
    }

    /// A character-string in double quotes; `"` and `\` escaped, non-printables as `\DDD`.
    public static func quotedCharacterString(_ data: some Collection<UInt8>) -> String {
        var out = "\""
        for byte in data {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append("\\")
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x20...0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                appendDecimalEscape(byte, to: &out)
            }
        }
        out.append("\"")
        return out
    }

    static func appendDecimalEscape(_ byte: UInt8, to out: inout String) {
        out.append("\\")
        let digits = String(byte)
        out.append(String(repeating: "0", count: 3 - digits.count))
        out.append(digits)
    }
}
