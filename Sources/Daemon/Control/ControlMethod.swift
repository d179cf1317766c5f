import ControlProto

/// One control method: its catalog entry and what it does. One file per method under Methods/.
protocol ControlMethod: Sendable {
    var name: String { get }
    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue
}

/// What a method call may read or act on: the running daemon and the caller's session.
struct ControlContext: Sendable {
    let runtime: DaemonRuntime
    let methods: ControlMethodTable
    let session: ControlSession
}

/// Typed access to a request's params with errors that name the parameter.
struct ControlParams: Sendable {
    let value: JSONValue?
    let descriptor: MethodDescriptor

    /// Params may be an object (by name) or an array (by position, in catalog order).
    func lookup(_ name: String) -> JSONValue? {
        switch value {
        case .object(let object)?: return object[name]
        case .array(let array)?:
            guard let index = descriptor.parameters.firstIndex(where: { $0.name == name }), index < array.count else { return nil }
            return array[index]
        default: return nil
        }
    }

    func string(_ name: String) throws -> String {
        guard let value = lookup(name) else { throw RPCError.badParams("missing parameter '\(name)': \(descriptor.signature)") }
        guard let text = value.stringValue else { throw RPCError.badParams("parameter '\(name)' must be a string") }
        return text
    }

    /// An integer parameter; a numeric string (from dnsctl) is accepted too.
    func optionalInt(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = lookup(name), value != .null else { return nil }
        guard let number = value.intValue ?? value.stringValue.flatMap({ Int($0) }) else {
            throw RPCError.badParams("parameter '\(name)' must be an integer")
        }
        guard range.contains(number) else {
            throw RPCError.badParams("parameter '\(name)' must be within \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try optionalInt(name, in: range) else { throw RPCError.badParams("missing parameter '\(name)': \(descriptor.signature)") }
        return value
    }

    /// A boolean parameter; "true"/"false" strings (from dnsctl) are accepted too.
    func optionalBool(_ name: String) throws -> Bool? {
        switch lookup(name) {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            guard let flag = Bool(text.lowercased()) else { throw RPCError.badParams("parameter '\(name)' must be true or false") }
            return flag
        default: throw RPCError.badParams("parameter '\(name)' must be true or false")
        }
    }

    func optionalString(_ name: String) throws -> String? {
        guard lookup(name) != nil else { return nil }
        return try string(name)
    }
}

/// The methods the daemon serves, keyed by name; every catalog entry must have one.
struct ControlMethodTable: Sendable {
    let methods: [String: any ControlMethod]

    init(_ list: [any ControlMethod]) {
        methods = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
        let missing = MethodCatalog.all.map(\.name).filter { methods[$0] == nil }
        precondition(missing.isEmpty, "catalog methods without a handler: \(missing)")  // a build mistake, not input
    }

    /// Every handler; each area lists its own in Methods/AREA/AREAHandlers.swift.
    static let standard = ControlMethodTable(
        systemHandlers + coreHandlers + statsHandlers + queryHandlers + configHandlers + zoneHandlers + cacheHandlers + upstreamHandlers + tlsHandlers
        + accessHandlers + policyHandlers + logHandlers + dnssecHandlers)
}
