import DNSProto

/// Who may transfer a zone (the zone plugin's `transfer:`): clients in `from` (when given)
/// whose request is signed with one of `keys` (when given). Both given means both must hold,
/// as in Knot's ACLs. No policy at all, the default, means nobody: everything else gets
/// REFUSED (RFC 5936 §5.1 leaves the policy to the operator; the safe default is closed).
public struct TransferPolicy: Sendable {
    public var from: [IPPrefix]
    public var keys: Set<DNSName>

    public init(from: [IPPrefix], keys: Set<DNSName>) {
        self.from = from
        self.keys = Set(keys.map(\.lowercased))
    }

    public func allows(client: ClientAddress?, key: TSIGKey?) -> Bool {
        guard !from.isEmpty || !keys.isEmpty else { return false }
        if !from.isEmpty {
            guard let client, from.contains(where: { $0.contains(client) }) else { return false }
        }
        if !keys.isEmpty {
            guard let key, keys.contains(key.name) else { return false }
        }
        return true
    }
}
