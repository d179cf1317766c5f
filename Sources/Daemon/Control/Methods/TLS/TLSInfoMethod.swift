import ControlProto

/// `tls.info NAME`: one certificate in full (docs/tls.md "Status").
struct TLSInfoMethod: ControlMethod {
    let name = "tls.info"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let store = context.runtime.certificates
        let wanted = try params.string("name")
        let settings = store.settings
        guard let status = store.status(named: wanted) else {
            let known = settings.certificates.map(\.name)
            throw RPCError.badParams("no certificate named '\(wanted)' (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let isDefault = settings.certificates.indices.contains(settings.defaultIndex)
            && settings.certificates[settings.defaultIndex].name == wanted
        return TLSStatusJSON.detail(status, isDefault: isDefault, storeGeneration: store.generationNumber)
    }
}
