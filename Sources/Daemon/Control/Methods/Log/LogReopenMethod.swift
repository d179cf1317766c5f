import ControlProto

/// `log.reopen`: the query log's writer closes its file and opens the configured path again,
/// for logrotate's `postrotate` after it moved the file away. It answers once the writer has
/// done so: lines written before went to the moved file, lines after go to the new one.
struct LogReopenMethod: ControlMethod {
    let name = "log.reopen"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        guard let queryLog = context.runtime.queryLog else {
            throw RPCError(code: RPCError.operationFailed, message: "the query log is off (the query_log: section, docs/observability.md)")
        }
        do { try await queryLog.reopen() } catch {
            throw RPCError(code: RPCError.operationFailed, message: "\(error)")
        }
        return .object(["reopened": .bool(true), "file": .string(queryLog.settings.file),
                        "written": .int(Int(clamping: queryLog.written)), "dropped": .int(Int(clamping: queryLog.dropped))])
    }
}
