import ControlProto
import Resolver

/// `dnssec.nta.remove NAME`: ends the negative trust anchor for exactly NAME; what was cached
/// under it unvalidated is dropped, so validation applies again at once.
struct NTARemoveMethod: ControlMethod {
    let name = "dnssec.nta.remove"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let validators = try context.validators()
        let name = try DNSNameText(try params.string("name")).name
        var removed = false
        for (_, recurse) in validators where recurse.validatorState.negativeTrustAnchors.remove(name) { removed = true }
        if removed { _ = NTAFlush.below(name, context: context) }
        return .object(["name": .string(name.lowercased.description), "removed": .bool(removed)])
    }
}
