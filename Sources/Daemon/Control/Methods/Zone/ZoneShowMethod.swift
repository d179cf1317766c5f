import ControlProto

/// `zone.show ZONE`: the zone in zone-file format.
struct ZoneShowMethod: ControlMethod {
    let name = "zone.show"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .string(try ZoneTarget.editor(named: try params.string("zone"), context).presentation())
    }
}
