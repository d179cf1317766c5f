import ControlProto

/// `tls.reload [NAME] [ALLOW_SHORTER_CHAIN]`: re-read the certificate files now.
///
/// Any failed certificate makes the answer a JSON-RPC error (-32002) whose data is the same
/// per-certificate list a success returns, so `dnsctl tls.reload` exits 1 and certbot's
/// `--deploy-hook` reports the failure (docs/tls.md).
struct TLSReloadMethod: ControlMethod {
    let name = "tls.reload"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let store = context.runtime.certificates
        var names: Set<String>?
        if let only = try params.optionalString("name") {
            guard store.settings.certificates.contains(where: { $0.name == only }) else {
                throw RPCError.badParams("no certificate named '\(only)'")
            }
            names = [only]
        }
        var allowShorter = false
        if let flag = params.lookup("allow_shorter_chain"), flag != .null {
            switch flag {
            case .bool(let value): allowShorter = value
            case .string(let text) where ["true", "false"].contains(text.lowercased()): allowShorter = text.lowercased() == "true"
            default: throw RPCError.badParams("parameter 'allow_shorter_chain' must be true or false")
            }
        }
        let report = await store.reload(trigger: .control, names: names, allowShorterChain: allowShorter)
        let json = TLSStatusJSON.report(report)
        let failures = report.results.compactMap { result in result.error.map { "\(result.name): \($0)" } }
        guard failures.isEmpty else {
            throw RPCError(code: RPCError.operationFailed,
                           message: "\(failures.count) of \(report.results.count) certificate(s) failed to reload and keep serving the previous one: \(failures.joined(separator: "; "))",
                           data: json)
        }
        return json
    }
}
