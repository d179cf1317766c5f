import ControlProto
import DNSProto
import Resolver

/// `dnssec.trust_anchors`: the anchors each validating `recurse` plugin starts its chains from:
/// owner, DS or DNSKEY, key tag, algorithm, digest type (DS only), and where they came from.
struct TrustAnchorsMethod: ControlMethod {
    let name = "dnssec.trust_anchors"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(try context.validators().flatMap { block, recurse -> [JSONValue] in
            let anchors = recurse.settings.trustAnchors
            let blockName = block.zones.map(\.description).joined(separator: " ")
            func row(_ owner: DNSName, _ fields: [String: JSONValue]) -> JSONValue {
                .object(fields.merging(["block": .string(blockName), "owner": .string(owner.description),
                                        "source": .string(anchors.source)]) { $1 })
            }
            let ds = anchors.ds.sorted { $0.key.description < $1.key.description }.flatMap { owner, records in
                records.map { row(owner, ["type": .string("DS"), "key_tag": .int(Int($0.keyTag)), "algorithm": .int(Int($0.algorithm)),
                                          "digest_type": .int(Int($0.digestType))]) }
            }
            let keys = anchors.keys.sorted { $0.key.description < $1.key.description }.flatMap { owner, records in
                records.map { row(owner, ["type": .string("DNSKEY"), "key_tag": .int(Int($0.keyTag)), "algorithm": .int(Int($0.algorithm)),
                                          "flags": .int(Int($0.flags))]) }
            }
            return ds + keys
        })
    }
}
