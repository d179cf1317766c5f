import DNSProto

/// A CoreDNS-style server block: the zones it serves and its ordered plugin chain.
public struct ServerBlock: Sendable {
    public var zones: [DNSName]
    public var plugins: [any Plugin]

    public init(zones: [DNSName], plugins: [any Plugin]) {
        self.zones = zones
        self.plugins = plugins
    }

    /// Whether one of the plugins holds authoritative zone data for `name`.
    public func isAuthoritative(for name: DNSName) -> Bool {
        plugins.contains { $0.isAuthoritative(for: name) }
    }
}
