import DNSProto

/// Reads a blocklist in the formats operators download, one rule per line, mixed freely:
///
/// - hosts: `0.0.0.0 ads.example.com [more names]` (any IPv4 or IPv6 address first; the
///   address is ignored, and so are `localhost` and its kin, which hosts files list for
///   themselves);
/// - domains: `ads.example.com`, also written `*.ads.example.com` or `.ads.example.com`;
/// - the adblock subset that names whole domains: `||ads.example.com^` blocks,
///   `@@||ads.example.com^` excepts (an exception outranks every block of the list);
/// - comments: lines starting with `#` or `!`, and `# ...` after a hosts or domain rule.
///
/// Every rule stands for its name and every name below it, as Unbound's `always_nxdomain`
/// local zones and RPZ's `*.` triggers do. A line that is none of these (an adblock rule with
/// a path, a wildcard inside a name or modifiers, a name with a character DNS names here do
/// not have) is skipped and counted: downloaded lists carry rules for browsers, and one odd
/// line must not cost the other million.
public enum BlocklistParser {
    public struct Parsed: Sendable {
        public var blocked = DomainSet()
        public var exceptions = DomainSet()
        public var skipped = 0
        /// The first few skipped lines: number and why, for the log and `policy.lists`.
        public var firstSkipped: [(line: Int, reason: String)] = []
    }

    /// Names hosts files list for the machine itself, not as blocks.
    private static let hostsSelfNames: Set<String> = [
        "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback", "ip6-localnet",
        "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0",
    ]

    /// Parses `text`. With `allow`, every rule is an exception (an allowlist).
    public static func parse(_ text: [UInt8], allow: Bool = false) -> Parsed {
        var parsed = Parsed()
        var lineNumber = 0
        var start = 0
        while start < text.count {
            lineNumber += 1
            var end = start
            while end < text.count, text[end] != UInt8(ascii: "\n") { end += 1 }
            parseLine(text[start..<end], number: lineNumber, allow: allow, into: &parsed)
            start = end + 1
        }
        parsed.blocked.compact()
        parsed.exceptions.compact()
        return parsed
    }

    private static func parseLine(_ raw: ArraySlice<UInt8>, number: Int, allow: Bool, into parsed: inout Parsed) {
        var line = raw[...]
        while let first = line.first, isSpace(first) { line.removeFirst() }
        while let last = line.last, isSpace(last) { line.removeLast() }
        guard let first = line.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "!") else { return }
        if line.starts(with: "@@".utf8) || line.starts(with: "||".utf8) {
            let exception = line.starts(with: "@@".utf8)
            var rule = line.dropFirst(exception ? 2 : 0)
            guard rule.starts(with: "||".utf8), rule.last == UInt8(ascii: "^") else {
                return skip(number, "an adblock rule other than ||name^", into: &parsed)
            }
            rule = rule.dropFirst(2).dropLast()
            return add(rule, number: number, exception: exception || allow, into: &parsed)
        }
        // Hosts and domain rules: whitespace-separated words, a comment after `#`.
        if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
        let words = line.split(whereSeparator: isSpace)
        guard let head = words.first else { return }
        if isAddress(head) {
            guard words.count > 1 else { return skip(number, "an address with no name", into: &parsed) }
            for word in words.dropFirst() where !hostsSelfNames.contains(String(decoding: word, as: UTF8.self).lowercased()) {
                add(word, number: number, exception: allow, into: &parsed)
            }
            return
        }
        guard words.count == 1 else { return skip(number, "more than one word and no address first", into: &parsed) }
        var name = head
        if name.starts(with: "*.".utf8) { name = name.dropFirst(2) } else if name.first == UInt8(ascii: ".") { name = name.dropFirst() }
        add(name, number: number, exception: allow, into: &parsed)
    }

    private static func add(_ text: ArraySlice<UInt8>, number: Int, exception: Bool, into parsed: inout Parsed) {
        guard let wire = lowercasedWire(text) else {
            return skip(number, "not a domain name: \(String(decoding: text.prefix(80), as: UTF8.self))", into: &parsed)
        }
        if exception {
            parsed.exceptions.insert(wire, line: UInt32(clamping: number))
        } else {
            parsed.blocked.insert(wire, line: UInt32(clamping: number))
        }
    }

    private static func skip(_ number: Int, _ reason: String, into parsed: inout Parsed) {
        parsed.skipped += 1
        if parsed.firstSkipped.count < 5 { parsed.firstSkipped.append((number, reason)) }
    }

    /// `ads.Example.com.` as lower-cased wire bytes; nil unless every label is 1-63 letters,
    /// digits, `-` or `_` and the name fits in 255 bytes.
    static func lowercasedWire(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var name = text
        if name.last == UInt8(ascii: ".") { name = name.dropLast() }
        guard !name.isEmpty, name.count <= 253 else { return nil }
        var wire: [UInt8] = []
        wire.reserveCapacity(name.count + 2)
        for label in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count) else { return nil }
            wire.append(UInt8(label.count))
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    wire.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    wire.append(byte | 0x20)
                default:
                    return nil
                }
            }
        }
        wire.append(0)
        return wire
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// Whether a word is an IPv4 or IPv6 address, as a hosts line starts.
    private static func isAddress(_ word: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: word, as: UTF8.self)
        return IPv4Address(text) != nil || IPv6Address(text.split(separator: "%").first.map(String.init) ?? text) != nil
    }
}
