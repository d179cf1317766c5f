import ControlProto
import DNSProto
import Resolver

/// `zone.show ZONE`: the zone in zone-file format (a secondary zone: the version held).
struct ZoneShowMethod: ControlMethod {
    let name = "zone.show"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let text = try params.string("zone")
        let origin = try ZoneTarget.name(text, parameter: "zone")
        if let secondary = ZoneTarget.secondaries(context).first(where: { $0.origin == origin }) {
            guard let zone = secondary.current else {
                throw RPCError(code: RPCError.operationFailed, message: "secondary zone \(origin) has no copy yet: \(secondary.status.lastError ?? "no transfer so far")")
            }
            return .string(ZoneFilePrinter.print(zone.records, origin: origin))
        }
        return .string(try ZoneTarget.editor(named: text, context).presentation())
    }
}
