/// One rule of an access list (CoreDNS `acl` semantics): what to do with queries from these
/// clients, optionally only for these query types. The first rule that matches decides.
public struct AccessRule: Sendable, Equatable {
    /// What a matching query gets.
    public enum Action: String, Sendable, CaseIterable {
        /// Answered as usual.
        case allow
        /// REFUSED, with the question echoed.
        case block
        /// NOERROR with no records: the name seems to have no data of that type.
        case filter
        /// Nothing is sent.
        case drop
    }

    /// Who a rule is about: a network, or a named set resolved when the query arrives.
    public enum Clients: Sendable, Equatable, CustomStringConvertible {
        case prefix(IPPrefix)
        /// Every client.
        case any
        /// 127.0.0.0/8 and ::1.
        case loopback
        /// The host's own connected subnets (`LocalNetworks`), loopback included.
        case localnets

        static let loopbackPrefixes = [IPPrefix("127.0.0.0/8")!, IPPrefix("::1/128")!]

        func contains(_ client: ClientAddress) -> Bool {
            switch self {
            case .prefix(let prefix): return prefix.contains(client)
            case .any: return true
            case .loopback: return Self.loopbackPrefixes.contains { $0.contains(client) }
            case .localnets:
                return Self.loopbackPrefixes.contains { $0.contains(client) } || LocalNetworks.host.contains(client)
            }
        }

        /// `any`, `loopback`, `localnets`, or a network in CIDR form.
        public init?(_ text: String) {
            switch text {
            case "any": self = .any
            case "loopback": self = .loopback
            case "localnets": self = .localnets
            default:
                guard let prefix = IPPrefix(text) else { return nil }
                self = .prefix(prefix)
            }
        }

        public var description: String {
            switch self {
            case .prefix(let prefix): return prefix.description
            case .any: return "any"
            case .loopback: return "loopback"
            case .localnets: return "localnets"
            }
        }
    }

    /// How counters, logs and query events name the rule (`acl:NAME`).
    public let name: String
    public let action: Action
    public let clients: [Clients]
    /// Query types the rule is limited to; nil for every type.
    public let types: Set<UInt16>?

    public init(name: String, action: Action, clients: [Clients], types: Set<UInt16>? = nil) {
        self.name = name
        self.action = action
        self.clients = clients
        self.types = types
    }

    /// The networks first: a mismatch there costs two compares, a type lookup a hash.
    func matches(_ client: ClientAddress?, type: UInt16) -> Bool {
        let inClients = client.map { client in clients.contains { $0.contains(client) } } ?? clients.contains(.any)
        guard inClients else { return false }
        return types?.contains(type) ?? true
    }
}

/// The rules a server block applies: its own, then the top-level ones, then its default.
/// Without a matching rule a block that resolves for others (cache, forward, recurse) answers
/// only loopback and the host's own subnets, and an authoritative block answers everyone:
/// Unbound's and BIND's defaults, so that no configuration becomes an open resolver by
/// omission.
struct AccessList: Sendable, Equatable {
    let rules: [AccessRule]
    /// The counter slot of each rule (AdmissionCounters), parallel to `rules`.
    let slots: [Int]

    static let localOnly = [
        AccessRule(name: "default", action: .allow, clients: [.localnets]),
        AccessRule(name: "default", action: .block, clients: [.any]),
    ]
    static let open = [AccessRule(name: "default", action: .allow, clients: [.any])]

    /// The rule that decides for `client` asking `type`, and its counter slot.
    func decide(_ client: ClientAddress?, type: UInt16) -> (rule: AccessRule, slot: Int) {
        for index in rules.indices where rules[index].matches(client, type: type) {
            return (rules[index], slots[index])
        }
        // Unreachable: every list ends with a rule for `any`.
        return (rules[rules.count - 1], slots[slots.count - 1])
    }
}
