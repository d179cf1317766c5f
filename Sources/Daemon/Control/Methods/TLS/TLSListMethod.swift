import ControlProto

/// `tls.list`: every configured certificate, what is served and how its last reload went.
struct TLSListMethod: ControlMethod {
    let name = "tls.list"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        .array(context.runtime.certificates.statuses().map(TLSStatusJSON.summary))
    }
}
