import ControlProto

/// `zone.commit ZONE`: applies this connection's staged edits as one change.
struct ZoneCommitMethod: ControlMethod {
    let name = "zone.commit"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        // The transaction ends whether or not the change is accepted: a refused commit is
        // refused whole, and the caller starts again.
        let edits = try ZoneTransactions.end(editor.origin, session: context.session)
        let outcome = try editor.apply(edits)
        if outcome.changed { ZoneTarget.invalidateCaches(below: editor.origin, context.runtime) }
        return ZoneTarget.result(editor, outcome)
    }
}
