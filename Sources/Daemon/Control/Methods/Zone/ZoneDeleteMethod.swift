import ControlProto

/// `zone.delete ZONE NAME [TYPE [RDATA]]`: deletes records, durably, or stages the deletion
/// inside a transaction.
struct ZoneDeleteMethod: ControlMethod {
    let name = "zone.delete"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        let edit = try editor.parseDelete(name: try params.string("name"), type: try params.optionalString("type"),
                                          rdata: try params.optionalString("rdata"))
        return try ZoneTransactions.applyOrStage(edit, editor: editor, context: context)
    }
}
