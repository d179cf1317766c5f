import ControlProto

/// `core.version`: the daemon's name, version and the git commit it was built from.
struct VersionMethod: ControlMethod {
    let name = "core.version"
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .object(["name": .string("dnsd"), "version": .string(DaemonVersion.string), "commit": .string(DaemonVersion.commit)])
    }
}
