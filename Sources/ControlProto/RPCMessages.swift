import Foundation

/// A JSON-RPC 2.0 request (or notification, when `id` is absent).
public struct RPCRequest: Sendable, Codable, Hashable {
    public var jsonrpc: String = "2.0"
    public var method: String
    public var params: JSONValue?
    public var id: JSONValue?

    public init(method: String, params: JSONValue? = nil, id: JSONValue? = nil) {
        self.method = method
        self.params = params
        self.id = id
    }
}

/// A JSON-RPC 2.0 error object. Codes: the standard -32700..-32600 range, plus ours below.
public struct RPCError: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// The caller's role may not call this method.
    public static let forbidden = -32001
    /// The method ran and failed (e.g. a reload found a bad file); `data` says what.
    public static let operationFailed = -32002
    /// A limit was hit (request size, connections).
    public static let limitExceeded = -32003

    public static func badParams(_ message: String) -> RPCError { RPCError(code: invalidParams, message: message) }

    public var description: String {
        var text = "error \(code): \(message)"
        if let data { text += " \(data.jsonText)" }
        return text
    }
}

/// A JSON-RPC 2.0 response: exactly one of `result` and `error`.
public struct RPCResponse: Sendable, Codable, Hashable {
    public var jsonrpc: String = "2.0"
    public var result: JSONValue?
    public var error: RPCError?
    public var id: JSONValue

    public init(id: JSONValue, result: JSONValue) {
        self.id = id
        self.result = result
    }

    public init(id: JSONValue, error: RPCError) {
        self.id = id
        self.error = error
    }

    enum CodingKeys: String, CodingKey { case jsonrpc, result, error, id }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jsonrpc, forKey: .jsonrpc)
        if let error { try container.encode(error, forKey: .error) } else { try container.encode(result ?? .null, forKey: .result) }
        try container.encode(id, forKey: .id)
    }
}
