import ControlProto
import Logging

/// The control socket's audit trail. Every call of a method that changes the daemon (one the
/// admin role is needed for) is logged at `notice` with the caller's uid and pid (SO_PEERCRED),
/// the method, its params and how it ended, whether it was allowed or not; read-only and unknown
/// methods are logged the same way at `debug`. Param values whose name says secret, key or
/// password (`cookie.rotate secret=...`) are replaced by `[redacted]`.
struct ControlAudit: Sendable {
    let logger: Logger

    init(logger: Logger = Logger(label: "dnsd.audit")) {
        self.logger = logger
    }

    /// Logs one finished call; `outcome` is "ok", or the error's message.
    func record(method: String, descriptor: MethodDescriptor?, params: JSONValue?, session: ControlSession, outcome: String) {
        let changesState = descriptor.map { !$0.readOnly } ?? false
        let level: Logger.Level = changesState ? .notice : .debug
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "method": "\(method)", "role": "\(session.role.rawValue)", "outcome": "\(outcome)",
            "params": "\(Self.redacted(Self.named(params, descriptor: descriptor)).jsonText)",
        ]
        if let peer = session.peer {
            metadata["uid"] = "\(peer.uid)"
            metadata["pid"] = "\(peer.pid)"
        }
        logger.log(level: level, "control call", metadata: metadata)
    }

    /// Positional params under their catalog names, so that they are logged (and redacted) by name.
    static func named(_ params: JSONValue?, descriptor: MethodDescriptor?) -> JSONValue {
        switch params {
        case nil: return .object([:])
        case .array(let values)? where descriptor != nil:
            var object: [String: JSONValue] = [:]
            for (index, value) in values.enumerated() {
                let name = index < descriptor!.parameters.count ? descriptor!.parameters[index].name : "\(index)"
                object[name] = value
            }
            return .object(object)
        case let value?: return value
        }
    }

    /// `value` with every member named like a secret replaced, at any depth.
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(Dictionary(uniqueKeysWithValues: members.map { name, member in
                (name, isSecret(name) ? .string("[redacted]") : redacted(member))
            }))
        case .array(let items): return .array(items.map(redacted))
        default: return value
        }
    }

    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["secret", "key", "password"].contains { lowered.contains($0) }
    }
}
