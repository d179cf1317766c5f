/// Which dnstap messages a server block's queries produce (`dnstap:` in a `servers:` entry):
/// the output itself (where they go) is configured once, at the top level.
public struct TapSelection: Sendable, Equatable {
    /// CLIENT_QUERY and CLIENT_RESPONSE for every answered query.
    public var client: Bool
    /// FORWARDER_QUERY and FORWARDER_RESPONSE for the `forward` plugin's upstream traffic.
    public var forwarder: Bool

    public init(client: Bool = false, forwarder: Bool = false) {
        self.client = client
        self.forwarder = forwarder
    }

    public static let none = TapSelection()
}
