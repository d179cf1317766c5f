import ControlProto

/// `system.listMethods`: the names of every method, sorted. No parameters.
struct ListMethodsMethod: ControlMethod {
    let name = "system.listMethods"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(MethodCatalog.all.map(\.name).sorted().map { .string($0) })
    }
}
