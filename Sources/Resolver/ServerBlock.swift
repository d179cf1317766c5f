import DNSProto

/// A CoreDNS-style server block: the zones it serves and its ordered plugin chain.
public struct ServerBlock: Sendable {
    public var zones: [DNSName]
    public var plugins: [any Plugin]
    /// The block's own access rules (`acl:`), checked before the top-level ones.
    public var accessRules: [AccessRule]
    /// The dnstap messages this block's queries produce (`dnstap:`).
    public var dnstap: TapSelection

    public init(zones: [DNSName], plugins: [any Plugin], accessRules: [AccessRule] = [], dnstap: TapSelection = .none) {
        self.zones = zones
        self.plugins = plugins
        self.accessRules = accessRules
        self.dnstap = dnstap
    }

    /// Whether one of the plugins holds authoritative zone data for `name`.
    public func isAuthoritative(for name: DNSName) -> Bool {
        plugins.contains { $0.isAuthoritative(for: name) }
    }
}
