import ControlProto
import Foundation

/// Decodes one request line (a request, a notification or a batch), runs the methods and
/// encodes the reply line. Never throws: every failure becomes a JSON-RPC error object.
struct ControlDispatcher: Sendable {
    let runtime: DaemonRuntime
    let methods: ControlMethodTable
    /// Who called what (ControlAudit.swift).
    var audit = ControlAudit()

    /// The reply line, or nil when nothing is owed (only notifications).
    func handle(line: [UInt8], session: ControlSession) async -> [UInt8]? {
        let context = ControlContext(runtime: runtime, methods: methods, session: session)
        let data = Data(line)
        // JSONDecoder passes over a value it does not keep (a duplicate key's) without checking
        // it, so `{"method": "core.ping", "method": "a<0x01>b", ...}` would run: the line must
        // be valid JSON as a whole (RFC 8259) before anything in it is. Found by ControlFuzzer.
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil,
              let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return encode(.single(RPCResponse(id: .null, error: RPCError(code: RPCError.parseError, message: "not valid JSON"))))
        }
        guard !DuplicateMembers.present(in: line) else {
            return encode(.single(RPCResponse(id: .null, error: RPCError(code: RPCError.invalidRequest,
                                                                          message: "a JSON object with a member name twice"))))
        }
        if case .array(let items) = json {
            guard !items.isEmpty else {
                return encode(.single(RPCResponse(id: .null, error: RPCError(code: RPCError.invalidRequest, message: "empty batch"))))
            }
            var responses: [RPCResponse] = []
            for item in items { if let response = await run(item, context: context) { responses.append(response) } }
            return responses.isEmpty ? nil : encode(.batch(responses))
        }
        return await run(json, context: context).flatMap { encode(.single($0)) }
    }

    private enum Reply { case single(RPCResponse), batch([RPCResponse]) }

    private func run(_ json: JSONValue, context: ControlContext) async -> RPCResponse? {
        guard case .object(let object) = json, object["jsonrpc"] == .string("2.0"),
              let method = object["method"]?.stringValue else {
            return RPCResponse(id: json["id"] ?? .null,
                               error: RPCError(code: RPCError.invalidRequest, message: "expected {\"jsonrpc\": \"2.0\", \"method\": ..., \"id\": ...}"))
        }
        let id = object["id"]
        let params = object["params"]
        switch params {
        case nil, .object?, .array?: break
        default:
            return id.map { RPCResponse(id: $0, error: RPCError(code: RPCError.invalidRequest, message: "params must be an object or an array")) }
        }
        let result: Result<JSONValue, RPCError>
        let descriptor = MethodCatalog.descriptor(named: method)
        if let handler = context.methods.methods[method], let descriptor {
            if !descriptor.readOnly && context.session.role != .admin {
                result = .failure(RPCError(code: RPCError.forbidden, message: "\(method) changes the daemon; this connection is read-only"))
            } else { do {
                result = .success(try await handler.call(ControlParams(value: params, descriptor: descriptor), context: context))
            } catch let error as RPCError {
                result = .failure(error)
            } catch {
                result = .failure(RPCError(code: RPCError.operationFailed, message: "\(error)"))
            } }
        } else {
            result = .failure(RPCError(code: RPCError.methodNotFound, message: "unknown method '\(method)' (system.listMethods lists them)"))
        }
        var outcome = "ok"
        if case .failure(let error) = result { outcome = error.message }
        audit.record(method: method, descriptor: descriptor, params: params, session: context.session, outcome: outcome)
        guard let id else { return nil }  // a notification gets no reply, even on error
        switch result {
        case .success(let value): return RPCResponse(id: id, result: value)
        case .failure(let error): return RPCResponse(id: id, error: error)
        }
    }

    private func encode(_ reply: Reply) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8]
        switch reply {
        case .single(let response): bytes = Array((try? encoder.encode(response)) ?? Data())
        case .batch(let responses): bytes = Array((try? encoder.encode(responses)) ?? Data())
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
