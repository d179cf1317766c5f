import ControlProto
import DNSProto
import Resolver

/// `zone.get NAME [TYPE]`: the records a name owns, from the deepest zone holding it.
struct ZoneGetMethod: ControlMethod {
    let name = "zone.get"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let owner = try ZoneTarget.name(try params.string("name"), parameter: "name")
        let editor = try ZoneTarget.editor(containing: owner, context)
        var type: RecordType?
        if let text = try params.optionalString("type") {
            guard case .delete(_, let parsed?, _) = try editor.parseDelete(name: "\(owner)", type: text, rdata: nil) else {
                throw RPCError.badParams("unknown record type '\(text)'")
            }
            type = parsed
        }
        return .object([
            "zone": .string("\(editor.origin)"), "name": .string("\(owner)"),
            "records": .array(editor.records(at: owner, type: type).map { .string(ZoneChange.line($0)) }),
        ])
    }
}
