import ControlProto
import Foundation
import Resolver

extension ControlMethodTable {
    /// DNSSEC's method handlers (catalog: ControlProto/MethodCatalog+DNSSEC.swift).
    static let dnssecHandlers: [any ControlMethod] = [NTAAddMethod(), NTARemoveMethod(), NTAListMethod(), TrustAnchorsMethod()]
}

extension ControlContext {
    /// The validating `recurse` plugins, or the error a DNSSEC method gives without any.
    func validators() throws -> [(block: ServerBlock, plugin: RecursePlugin)] {
        let found = runtime.plugins(of: RecursePlugin.self).filter { $0.plugin.settings.dnssec == .validate }
        guard !found.isEmpty else {
            throw RPCError(code: RPCError.operationFailed, message: "no server block has a recurse plugin with dnssec: validate (docs/dnssec.md)")
        }
        return found
    }
}

/// How a negative trust anchor looks on the control socket.
enum NTAJSON {
    static func fields(_ anchor: NegativeTrustAnchors.Anchor, now: Date = Date()) -> [String: JSONValue] {
        ["name": .string(anchor.name.description), "expires": .string(ISO8601DateFormatter().string(from: anchor.expires)),
         "seconds_left": .int(max(0, Int(anchor.expires.timeIntervalSince(now).rounded())))]
    }
}
