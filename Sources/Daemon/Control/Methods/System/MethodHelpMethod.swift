import ControlProto

/// `system.methodHelp METHOD`: the catalog's help text for one method.
struct MethodHelpMethod: ControlMethod {
    let name = "system.methodHelp"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let method = try params.string("method")
        guard let descriptor = MethodCatalog.descriptor(named: method) else {
            throw RPCError(code: RPCError.invalidParams, message: "unknown method '\(method)'")
        }
        return .string(descriptor.help)
    }
}
