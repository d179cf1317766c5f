import DNSProto

/// One line of a hosts file: an address and the names that map to it.
public struct HostsEntry: Sendable, Hashable {
    /// An IPv4 or IPv6 address.
    public enum Address: Sendable, Hashable, CustomStringConvertible {
        case v4(IPv4Address)
        case v6(IPv6Address)

        public var description: String {
            switch self {
            case .v4(let address): return address.description
            case .v6(let address): return address.description
            }
        }
    }

    public var address: Address
    /// Absolute names, in file order; the first is the canonical one (what PTR answers first).
    public var names: [DNSName]
    /// 1-based line in the source, for messages.
    public var line: Int

    public init(address: Address, names: [DNSName], line: Int) {
        self.address = address
        self.names = names
        self.line = line
    }
}

/// A hosts-file line that could not be used, with where it is.
public struct HostsProblem: Sendable, Hashable, CustomStringConvertible, Error {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads the /etc/hosts format (hosts(5)): `ADDRESS NAME [NAME...]`, fields separated by
/// blanks, `#` to the end of the line is a comment, blank lines are ignored. Names are
/// taken as absolute (`localhost` is `localhost.`). Lines that cannot be used (a bad address,
/// an IPv6 zone index like `fe80::1%eth0`, no name, a bad name) are reported as problems and
/// left out; the caller decides whether a problem is fatal.
public enum HostsFileParser {
    public static func parse(_ text: String, file: String) -> (entries: [HostsEntry], problems: [HostsProblem]) {
        var entries: [HostsEntry] = []
        var problems: [HostsProblem] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }
            func problem(_ message: String) { problems.append(HostsProblem(file: file, line: lineNumber, message: message)) }
            let addressText = String(first)
            let address: HostsEntry.Address
            if let v4 = IPv4Address(addressText) {
                address = .v4(v4)
            } else if let v6 = IPv6Address(addressText) {
                address = .v6(v6)
            } else if addressText.contains("%") {
                problem("'\(addressText)': addresses with a zone index are not supported")
                continue
            } else {
                problem("'\(addressText)' is not an IPv4 or IPv6 address")
                continue
            }
            guard fields.count > 1 else {
                problem("address \(addressText) has no names")
                continue
            }
            var names: [DNSName] = []
            var bad = false
            for field in fields.dropFirst() {
                let text = field.hasSuffix(".") ? String(field) : String(field) + "."
                guard let name = try? DNSName(text), !name.isRoot else {
                    problem("'\(field)' is not a valid host name")
                    bad = true
                    break
                }
                names.append(name)
            }
            if bad { continue }
            entries.append(HostsEntry(address: address, names: names, line: lineNumber))
        }
        return (entries, problems)
    }
}
