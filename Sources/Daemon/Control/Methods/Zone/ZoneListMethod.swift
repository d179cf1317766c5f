import ControlProto
import Foundation
import Resolver

/// `zone.list`: every zone served, with its serial, size, file and journal state, and as a
/// primary how far back IXFR reaches and where NOTIFY goes; for a secondary its primaries and
/// SOA timers.
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
        } + ZoneTarget.secondaries(context).map { Self.describe($0.status) })
    }

    /// A secondary zone: where it comes from and where its SOA timers stand.
    static func describe(_ status: SecondaryZone.Status) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map(TLSStatusJSON.date) ?? .null }
        return .object([
            "zone": .string("\(status.origin)"), "secondary": .bool(true), "serial": status.serial.map { .int(Int($0)) } ?? .null,
            "records": .int(status.records), "file": .string(status.file), "primaries": .array(status.primaries.map { .string($0) }),
            "transferred_from": status.transferredFrom.map { .string($0) } ?? .null, "last_transfer": time(status.lastTransfer),
            "last_contact": time(status.lastContact), "next_refresh": time(status.nextRefresh), "expires": time(status.expiresAt),
            "expired": .bool(status.expired), "last_error": status.lastError.map { .string($0) } ?? .null,
        ])
    }
}
