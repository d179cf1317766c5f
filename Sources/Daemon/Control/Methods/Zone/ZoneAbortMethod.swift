import ControlProto

/// `zone.abort ZONE`: discards this connection's staged edits.
struct ZoneAbortMethod: ControlMethod {
    let name = "zone.abort"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        let edits = try ZoneTransactions.end(editor.origin, session: context.session)
        return .object(["zone": .string("\(editor.origin)"), "discarded": .int(edits.count)])
    }
}
