import ControlProto

/// `system.whoami`: the caller's role on this connection (`admin` or `read-only`, from its
/// uid and groups, docs/control.md) and the credentials the socket reported, so a client such
/// as dnsconsole knows what it may offer without trying a method that changes something.
struct WhoAmIMethod: ControlMethod {
    let name = "system.whoami"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        var reply: [String: JSONValue] = ["role": .string(context.session.role.rawValue)]
        if let peer = context.session.peer {
            reply["uid"] = .int(Int(peer.uid))
            reply["gid"] = .int(Int(peer.gid))
            reply["pid"] = .int(Int(peer.pid))
        }
        return .object(reply)
    }
}
