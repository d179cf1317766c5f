import ControlProto

/// `core.version`: the daemon's name and version.
struct VersionMethod: ControlMethod {
    let name = "core.version"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .object(["name": .string("dnsd"), "version": .string(DaemonVersion.string)])
    }
}
