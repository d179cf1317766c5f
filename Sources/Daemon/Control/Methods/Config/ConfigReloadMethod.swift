import ControlProto
import DNSProto
import Foundation

/// `config.reload`: re-read the configuration and its zone files; apply all or nothing.
/// A failure answers with the file, line and column of the first problem. The reply names the
/// keys that changed: `applied` (in force now) and `needs_restart` (ReloadPolicy.swift).
struct ConfigReloadMethod: ControlMethod {
    let name = "config.reload"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let runtime = context.runtime
        let report: DaemonRuntime.ReloadReport
        do {
            // Reading and parsing every zone file is blocking work: keep it off the event loops.
            report = try await Task.detached { try runtime.reload() }.value
        } catch {
            throw RPCError(code: RPCError.operationFailed, message: "reload refused, the running configuration stays: \(error)",
                           data: Self.location(of: error))
        }
        return .object([
            "generation": .int(report.generation),
            "zones": .array(report.zones.map { .string($0) }),
            "applied": .array(report.applied.map { .string($0) }),
            "needs_restart": .array(report.needsRestart.map { .string($0) }),
            "notes": .array(report.notes.map { .string($0) }),
            "at": .string(ISO8601DateFormatter().string(from: report.at)),
        ])
    }

    static func location(of error: Error) -> JSONValue {
        switch error {
        case let error as ConfigError:
            return .object(["file": .string(error.file), "line": .int(error.line), "column": .int(error.column),
                            "key": .string(error.key), "reason": .string(error.message)])
        case let error as PresentationError:
            return .object(["file": .string(error.location.file), "line": .int(error.location.line),
                            "column": .int(error.location.column), "reason": .string(error.message)])
        default:
            return .object(["reason": .string("\(error)")])
        }
    }
}
