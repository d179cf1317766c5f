import ControlProto

/// `queries.unsubscribe ID`: stops one of this connection's subscriptions.
struct QueriesUnsubscribeMethod: ControlMethod {
    let name = "queries.unsubscribe"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let id = try params.int("subscription", in: 1...Int.max)
        guard context.session.removeSubscription(id) else {
            throw RPCError(code: RPCError.invalidParams, message: "no subscription \(id) on this connection")
        }
        return .object(["stopped": .int(id)])
    }
}
