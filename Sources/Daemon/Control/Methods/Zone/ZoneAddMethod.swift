import ControlProto

/// `zone.add ZONE RR...`: adds records, durably, or stages them inside a transaction.
struct ZoneAddMethod: ControlMethod {
    let name = "zone.add"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        let texts: [String]
        switch params.lookup("records") {
        case .array(let items)?:
            texts = try items.map { item in
                guard let text = item.stringValue else { throw RPCError.badParams("parameter 'records' must be an array of strings") }
                return text
            }
        case .string(let text)?: texts = [text]
        default: throw RPCError.badParams("missing parameter 'records': \(params.descriptor.signature)")
        }
        return try ZoneTransactions.applyOrStage(try editor.parseAdd(texts), editor: editor, context: context)
    }
}
