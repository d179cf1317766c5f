import ControlProto

/// `zone.reload ZONE`: re-reads the zone file and journal; a bad file keeps the running zone.
struct ZoneReloadMethod: ControlMethod {
    let name = "zone.reload"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let editor = try ZoneTarget.editor(named: try params.string("zone"), context)
        let zone = try editor.reload()
        ZoneTarget.invalidateCaches(below: editor.origin, context.runtime)
        let status = editor.status
        return .object([
            "zone": .string("\(editor.origin)"), "serial": .int(Int(zone.serial)), "records": .int(status.records),
            "journal_entries": .int(status.journalEntries),
        ])
    }
}
