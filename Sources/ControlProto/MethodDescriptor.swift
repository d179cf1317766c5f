/// One parameter of a control method.
public struct MethodParameter: Sendable, Hashable {
    public var name: String
    /// JSON type: string, integer, boolean, object, array.
    public var type: String
    public var required: Bool
    public var summary: String

    public init(_ name: String, _ type: String, required: Bool = true, _ summary: String) {
        self.name = name
        self.type = type
        self.required = required
        self.summary = summary
    }
}

/// A control method's documentation: the one source for `system.methodHelp`,
/// `dnsctl help`, docs/control.md and the console's command list.
public struct MethodDescriptor: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var parameters: [MethodParameter]
    /// Read-only methods may be called by the read-only role.
    public var readOnly: Bool
    /// An example call, as typed in a shell.
    public var example: String
    /// An example result (JSON).
    public var exampleResult: String

    public init(name: String, summary: String, parameters: [MethodParameter] = [], readOnly: Bool,
                example: String, exampleResult: String) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.readOnly = readOnly
        self.example = example
        self.exampleResult = exampleResult
    }

    /// `name(param: type, [optional: type]) -> summary` as `system.methodSignature` reports it.
    public var signature: String {
        let params = parameters.map { $0.required ? "\($0.name): \($0.type)" : "[\($0.name): \($0.type)]" }
        return "\(name)(\(params.joined(separator: ", ")))"
    }

    /// Multi-line help text.
    public var help: String {
        var lines = ["\(signature)\(readOnly ? "  (read-only)" : "")", "  \(summary)"]
        for parameter in parameters {
            lines.append("  \(parameter.name) (\(parameter.type)\(parameter.required ? "" : ", optional")): \(parameter.summary)")
        }
        lines.append("  example: \(example)")
        lines.append("  result:  \(exampleResult)")
        return lines.joined(separator: "\n")
    }

    /// Positional command-line arguments mapped onto parameter names, in order. The last
    /// parameter of type array takes every remaining argument.
    public func params(fromArguments arguments: [String]) throws -> JSONValue? {
        if arguments.isEmpty { return nil }
        var object: [String: JSONValue] = [:]
        // `name=value` sets a parameter by name (any order); the rest fill the others in order.
        // Only a known parameter name before `=` counts, so values like `v=spf1` stay positional.
        var positional: [String] = []
        for argument in arguments {
            if let equals = argument.firstIndex(of: "="),
               let parameter = parameters.first(where: { $0.name == String(argument[..<equals]) }), parameter.type != "array" {
                object[parameter.name] = try Self.value(String(argument[argument.index(after: equals)...]), for: parameter)
            } else {
                positional.append(argument)
            }
        }
        var remaining = positional[...]
        for parameter in parameters where object[parameter.name] == nil {
            guard let first = remaining.first else { break }
            if parameter.type == "array" {
                object[parameter.name] = .array(remaining.map { .string($0) })
                remaining = []
                break
            }
            remaining = remaining.dropFirst()
            object[parameter.name] = try Self.value(first, for: parameter)
        }
        guard remaining.isEmpty else {
            throw RPCError.badParams("\(name) takes at most \(parameters.count) arguments: \(signature)")
        }
        return .object(object)
    }

    /// A command-line word as the JSON value `parameter` takes.
    private static func value(_ text: String, for parameter: MethodParameter) throws -> JSONValue {
        switch parameter.type {
        case "integer":
            guard let value = Int(text) else { throw RPCError.badParams("\(parameter.name) must be an integer, not '\(text)'") }
            return .int(value)
        case "boolean":
            guard let value = Bool(text.lowercased()) else { throw RPCError.badParams("\(parameter.name) must be true or false") }
            return .bool(value)
        default:
            return .string(text)
        }
    }

    /// Parameters for a method this catalog does not know (a newer daemon's): `name=value`
    /// words as an object (numbers and true/false typed), else the words as an array.
    public static func untypedParams(fromArguments arguments: [String]) -> JSONValue? {
        if arguments.isEmpty { return nil }
        guard arguments.allSatisfy({ $0.contains("=") }) else { return .array(arguments.map { .string($0) }) }
        var object: [String: JSONValue] = [:]
        for argument in arguments {
            let equals = argument.firstIndex(of: "=")!
            let text = String(argument[argument.index(after: equals)...])
            object[String(argument[..<equals])] = Int(text).map(JSONValue.int) ?? Bool(text).map(JSONValue.bool) ?? .string(text)
        }
        return .object(object)
    }
}
