import ControlProto
import DNSProto
import Foundation
import Resolver

/// `dnssec.nta.list`: the negative trust anchors in force, with expiry and seconds left.
struct NTAListMethod: ControlMethod {
    let name = "dnssec.nta.list"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        // Every validating plugin holds the same anchors (nta.add sets them on each); the
        // union covers a plugin added by a reload since.
        var latest: [DNSName: NegativeTrustAnchors.Anchor] = [:]
        for (_, recurse) in try context.validators() {
            for anchor in recurse.validatorState.negativeTrustAnchors.list() where (latest[anchor.name]?.expires ?? .distantPast) < anchor.expires {
                latest[anchor.name] = anchor
            }
        }
        let now = Date()
        return .array(latest.values.sorted { $0.name.description < $1.name.description }.map { .object(NTAJSON.fields($0, now: now)) })
    }
}
