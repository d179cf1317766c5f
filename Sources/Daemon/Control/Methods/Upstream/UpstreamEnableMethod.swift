import ControlProto
import Resolver

/// `upstream.enable NAME` and `upstream.disable NAME`: maintenance switch for one upstream,
/// in every forward plugin that uses it.
struct UpstreamEnableMethod: ControlMethod {
    let name: String
    let enable: Bool

    init(enable: Bool) {
        self.enable = enable
        name = enable ? "upstream.enable" : "upstream.disable"
    }

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let upstream = try params.string("name")
        let changed = context.runtime.plugins(of: ForwardPlugin.self).filter { $0.plugin.setEnabled(enable, for: upstream) }.count
        guard changed > 0 else {
            let known = context.runtime.plugins(of: ForwardPlugin.self).flatMap { $0.plugin.statistics().map(\.name) }
            throw RPCError(code: RPCError.invalidParams, message: "no upstream '\(upstream)' (known: \(known.joined(separator: ", ")))")
        }
        return .object(["name": .string(upstream), "enabled": .bool(enable), "plugins": .int(changed)])
    }
}
