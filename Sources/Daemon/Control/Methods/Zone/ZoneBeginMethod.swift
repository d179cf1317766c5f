import ControlProto

/// `zone.begin ZONE`: opens a transaction on this connection.
struct ZoneBeginMethod: ControlMethod {
    let name = "zone.begin"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        guard editor.file != nil else {
            throw RPCError(code: RPCError.operationFailed, message: "zone \(editor.origin) is written inline in the configuration and cannot be edited over the control socket; move it to a file")
        }
        try ZoneTransactions.begin(editor.origin, session: context.session)
        return .object(["zone": .string("\(editor.origin)"), "transaction": .string("open")])
    }
}
