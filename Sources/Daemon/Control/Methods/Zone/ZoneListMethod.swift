import ControlProto
import Resolver

/// `zone.list`: every zone served, with its serial, size, file and journal state, and as a
/// primary how far back IXFR reaches and where NOTIFY goes.
struct ZoneListMethod: ControlMethod {
    let name = "zone.list"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(ZoneTarget.editors(context).map { editor in
            let status = editor.status
            var object: [String: JSONValue] = [
                "zone": .string("\(status.origin)"), "serial": .int(Int(status.serial)), "records": .int(status.records),
                "file": status.file.map { .string($0) } ?? .null,
                "journal_bytes": .int(status.journalBytes), "journal_entries": .int(status.journalEntries),
                "dirty": .bool(status.dirty), "editable": .bool(status.editable),
                "ixfr_from": status.ixfrFrom.map { .int(Int($0)) } ?? .null,
                "notify": .array(status.notifyTargets.map { .string($0) }),
            ]
            if let error = status.lastCompactionError { object["compaction_error"] = .string(error) }
            return .object(object)
        })
    }
}
