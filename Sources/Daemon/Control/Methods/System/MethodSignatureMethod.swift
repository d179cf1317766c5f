import ControlProto

/// `system.methodSignature METHOD`: parameters with their types, and the read-only flag.
struct MethodSignatureMethod: ControlMethod {
    let name = "system.methodSignature"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let method = try params.string("method")
        guard let descriptor = MethodCatalog.descriptor(named: method) else {
            throw RPCError(code: RPCError.invalidParams, message: "unknown method '\(method)'")
        }
        return .object([
            "name": .string(descriptor.name),
            "readOnly": .bool(descriptor.readOnly),
            "params": .array(descriptor.parameters.map {
                .object(["name": .string($0.name), "type": .string($0.type), "required": .bool($0.required), "summary": .string($0.summary)])
            }),
        ])
    }
}
