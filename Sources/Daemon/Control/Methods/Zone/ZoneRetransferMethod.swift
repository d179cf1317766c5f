import ControlProto
import Resolver

/// `zone.retransfer ZONE`: transfers a secondary zone from its primaries now, whatever their
/// serial (after the primary's data was fixed without a serial change, or a copy was lost).
struct ZoneRetransferMethod: ControlMethod {
    let name = "zone.retransfer"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let zone = try ZoneTarget.secondary(named: try params.string("zone"), context)
        zone.refreshNow(force: true)
        return .object(["zone": .string("\(zone.origin)"), "started": .bool(true)])
    }
}
