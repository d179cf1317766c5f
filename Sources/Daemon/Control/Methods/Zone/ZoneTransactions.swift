import ControlProto
import DNSProto
import NIOConcurrencyHelpers
import Resolver

/// Open zone transactions: staged edits per control connection and zone. A transaction
/// belongs to the connection that began it; when that connection closes, it is dropped
/// (aborted) without touching the zone.
enum ZoneTransactions {
    private struct Key: Hashable {
        var session: ObjectIdentifier
        var origin: DNSName
    }

    private static let open = NIOLockedValueBox<[Key: [ZoneEdit]]>([:])

    static func begin(_ origin: DNSName, session: ControlSession) throws {
        let key = Key(session: ObjectIdentifier(session), origin: origin)
        let (began, first) = open.withLockedValue { open -> (Bool, Bool) in
            guard open[key] == nil else { return (false, false) }
            let first = !open.keys.contains { $0.session == key.session }
            open[key] = []
            return (true, first)
        }
        guard began else {
            throw RPCError(code: RPCError.operationFailed, message: "a transaction on \(origin) is already open on this connection")
        }
        if first {
            let id = key.session
            session.channel.closeFuture.whenComplete { _ in
                open.withLockedValue { open in open = open.filter { $0.key.session != id } }
            }
        }
    }

    /// Stages `edit` if this connection has a transaction on `origin`; false when it has none.
    static func stage(_ edit: ZoneEdit, origin: DNSName, session: ControlSession) -> Int? {
        let key = Key(session: ObjectIdentifier(session), origin: origin)
        return open.withLockedValue { open -> Int? in
            guard open[key] != nil else { return nil }
            open[key]!.append(edit)
            return open[key]!.count
        }
    }

    /// Ends the transaction and returns its staged edits.
    static func end(_ origin: DNSName, session: ControlSession) throws -> [ZoneEdit] {
        let key = Key(session: ObjectIdentifier(session), origin: origin)
        guard let edits = open.withLockedValue({ $0.removeValue(forKey: key) }) else {
            throw RPCError(code: RPCError.operationFailed, message: "no transaction on \(origin) is open on this connection (zone.begin starts one)")
        }
        return edits
    }

    /// Applies an edit now, or stages it when a transaction is open.
    static func applyOrStage(_ edit: ZoneEdit, editor: ZoneEditor, context: ControlContext) throws -> JSONValue {
        // Refused when staged too, rather than at commit: the operator learns it at the first edit.
        try editor.refuseIfSigned()
        if let staged = stage(edit, origin: editor.origin, session: context.session) {
            return .object(["zone": .string("\(editor.origin)"), "transaction": .bool(true), "staged": .int(staged)])
        }
        let outcome = try editor.apply([edit])
        if outcome.changed { ZoneTarget.invalidateCaches(below: editor.origin, context.runtime) }
        return ZoneTarget.result(editor, outcome)
    }
}
