import DNSProto

/// The root name servers resolution starts from: the names and addresses of a root hints
/// file (the `named.root` format: `. NS a.root-servers.net.` plus A/AAAA lines). The IANA
/// hints are built in; a hints file in the config replaces them (tests always give one that
/// points at their own root, so nothing is ever sent to the real root servers).
public struct RootHints: Sendable, Equatable {
    /// One root server: its name and addresses (IP text).
    public struct Server: Sendable, Equatable {
        public var name: DNSName
        public var addresses: [String]

        public init(name: DNSName, addresses: [String]) {
            self.name = name
            self.addresses = addresses
        }
    }

    public var servers: [Server]

    public init(servers: [Server]) { self.servers = servers }

    /// Every address of every root server.
    public var addresses: [String] { servers.flatMap(\.addresses) }

    /// Parses hints in zone-file syntax. Every `.` NS target needs at least one address in the
    /// same text; records for other owners or types are an error (a hints file is small and
    /// a stray line is more likely a mistake than intent).
    public static func parse(text: String, file: String) throws -> RootHints {
        let zone: ZoneFile
        do {
            zone = try ZoneFileParser.parse(text: text, file: file, origin: .root, defaultTTL: 3_600_000)
        } catch {
            throw RootHintsError("\(error)")
        }
        var names: [DNSName] = []
        var addresses: [DNSName: [String]] = [:]
        for record in zone.records {
            switch record.rdata {
            case .ns(let target) where record.name.isRoot:
                if !names.contains(target) { names.append(target) }
            case .a(let address):
                addresses[record.name, default: []].append(address.description)
            case .aaaa(let address):
                addresses[record.name, default: []].append(address.description)
            default:
                throw RootHintsError("\(file): unexpected record '\(record)' (a hints file holds '. NS' and A/AAAA records only)")
            }
        }
        guard !names.isEmpty else { throw RootHintsError("\(file): no '. NS' records") }
        var servers: [Server] = []
        for name in names {
            guard let found = addresses[name], !found.isEmpty else {
                throw RootHintsError("\(file): root server \(name) has no A or AAAA record")
            }
            servers.append(Server(name: name, addresses: found))
        }
        return RootHints(servers: servers)
    }

    /// The IANA root hints (https://www.internic.net/domain/named.root, last changed
    /// 2023-11-27 when b.root-servers.net renumbered).
    public static let builtIn: RootHints = {
        let table: [(String, String, String)] = [
            ("a", "198.41.0.4", "2001:503:ba3e::2:30"),
            ("b", "170.247.170.2", "2801:1b8:10::b"),
            ("c", "192.33.4.12", "2001:500:2::c"),
            ("d", "199.7.91.13", "2001:500:2d::d"),
            ("e", "192.203.230.10", "2001:500:a8::e"),
            ("f", "192.5.5.241", "2001:500:2f::f"),
            ("g", "192.112.36.4", "2001:500:12::d0d"),
            ("h", "198.97.190.53", "2001:500:1::53"),
            ("i", "192.36.148.17", "2001:7fe::53"),
            ("j", "192.58.128.30", "2001:503:c27::2:30"),
            ("k", "193.0.14.129", "2001:7fd::1"),
            ("l", "199.7.83.42", "2001:500:9f::42"),
            ("m", "202.12.27.33", "2001:dc3::35"),
        ]
        return RootHints(servers: table.compactMap { letter, v4, v6 in
            guard let name = try? DNSName("\(letter).root-servers.net.") else { return nil }
            return Server(name: name, addresses: [v4, v6])
        })
    }()
}

/// A root hints file that cannot be used.
public struct RootHintsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
