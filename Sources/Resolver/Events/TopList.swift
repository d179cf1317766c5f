import DNSProto

/// The lists `queries.top` ranks, and what a query event counts under in each.
public enum TopList: String, CaseIterable, Sendable {
    /// Query names (lower-cased).
    case names
    /// Client addresses (without the port).
    case clients
    case types
    case rcodes
    /// Names answered NXDOMAIN by the resolver (a blocklist's NXDOMAIN counts under `blocked`).
    case nxdomain
    /// Names answered SERVFAIL.
    case servfail
    /// Names whose answer took `slowNanos` or longer.
    case slow
    /// Clients that rate limits held back (`rrl:*`, `limit:*`).
    case limited
    /// Names the blocklists blocked, keyed `NAME policy:LIST`.
    case blocked

    /// An answer at least this slow counts under `slow`: past the half second a stub's first
    /// retry is usually near.
    public static let slowNanos: UInt64 = 500_000_000

    /// The key `event` counts under in this list, or nil when it does not count here.
    func key(for event: QueryEvent) -> TopKey? {
        switch self {
        case .names: return .name(event.name)
        case .clients: return event.client.map { .address($0.withoutPort) }
        case .types: return .type(event.type)
        case .rcodes: return .rcode(event.rcode)
        case .nxdomain:
            if case .admission = event.source { return nil }
            return event.rcode == .nxDomain ? .name(event.name) : nil
        case .servfail: return event.rcode == .servFail ? .name(event.name) : nil
        case .slow: return event.latencyNanos >= Self.slowNanos ? .name(event.name) : nil
        case .limited:
            guard case .admission(let why) = event.source, why.hasPrefix("rrl:") || why.hasPrefix("limit:") else { return nil }
            return event.client.map { .address($0.withoutPort) }
        case .blocked:
            guard case .admission(let why) = event.source, why.hasPrefix("policy:") else { return nil }
            return .blocked(event.name, why)
        }
    }

    /// Whether `event` counts in this list at all.
    public func counts(_ event: QueryEvent) -> Bool { key(for: event) != nil }

    /// The exact counts of `events` in each of `lists`, keyed as `key(for:)` says.
    static func tally(_ events: some Sequence<QueryEvent>, lists: [TopList] = allCases) -> [TopList: [TopKey: UInt64]] {
        var counts = Array(repeating: [TopKey: UInt64](), count: lists.count)
        for event in events {
            for (index, list) in lists.enumerated() {
                if let key = list.key(for: event) { counts[index][key, default: 0] += 1 }
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(lists, counts))
    }
}

/// What a query event counts under: kept as the event's own values while counting, so text is
/// made once per distinct key rather than once per query.
enum TopKey: Hashable, CustomStringConvertible {
    /// DNSName compares and hashes without case.
    case name(DNSName)
    case address(ClientAddress)
    case type(RecordType)
    case rcode(Rcode)
    case blocked(DNSName, String)

    var description: String {
        switch self {
        case .name(let name): return name.lowercased.description
        case .address(let address): return address.ipAddress
        case .type(let type): return type.description
        case .rcode(let rcode): return rcode.description
        case .blocked(let name, let why): return "\(name.lowercased) \(why)"
        }
    }
}
