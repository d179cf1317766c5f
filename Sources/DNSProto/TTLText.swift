/// TTL text: plain seconds or BIND-style units (`1w2d3h4m5s`, case-insensitive).
public enum TTLText {
    /// Parses seconds or unit form; nil if malformed or above 2^31-1 (RFC 2181 §8).
    public static func parse(_ text: String) -> UInt32? {
        guard !text.isEmpty else { return nil }
        if let plain = UInt32(text) { return plain <= Int32.max.magnitude ? plain : nil }
        var total: UInt64 = 0
        var number: UInt64? = nil
        for char in text.lowercased() {
            if let digit = char.wholeNumberValue, char.isASCII {
                let value = (number ?? 0) * 10 + UInt64(digit)
                if value > UInt64(Int32.max) { return nil }
                number = value
                continue
            }
            let unit: UInt64
            switch char {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604800
            default: return nil
            }
            guard let value = number else { return nil }
            total += value * unit
            number = nil
            if total > UInt64(Int32.max) { return nil }
        }
        guard number == nil else { return nil }  // "1h30" is ambiguous: refuse it
        return UInt32(total)
    }
}
