import ControlProto
import Foundation
import Resolver

/// `queries.top [window] [limit] [kind]`: the most frequent names, clients, types, rcodes,
/// NXDOMAIN and SERVFAIL names, slow names, rate-limited clients and blocked names over the
/// last `window` seconds (up to a day). While the event ring still holds the whole window the
/// counts are exact (`"source": "ring"`); beyond it they come from the per-minute and per-hour
/// summaries (`"source": "tallies"`, QueryTallies.swift), each entry with the most its count
/// may be short by (`error`). `kind` narrows the reply to one list.
struct QueriesTopMethod: ControlMethod {
    let name = "queries.top"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let window = try params.optionalInt("window", in: 1...Int(QueryTallies.longestWindow)) ?? 60
        let limit = try params.optionalInt("limit", in: 1...1000) ?? 10
        var lists = TopList.allCases
        if let kind = try params.optionalString("kind") {
            guard let list = TopList(rawValue: kind) else {
                throw RPCError.badParams("parameter 'kind' must be one of \(TopList.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            lists = [list]
        }
        let now = Date().timeIntervalSince1970
        let since = UInt64(max(0, now - Double(window)) * 1_000_000_000)
        let runtime = context.runtime
        let fromRing = runtime.events.holdsEverything(sinceNanos: since)
        let report = fromRing
            ? QueryTallies.exactReport(runtime.events.recent(sinceNanos: since), window: UInt64(window), lists: lists, limit: limit)
            : runtime.tallies.report(window: UInt64(window), now: UInt64(now), lists: lists, limit: limit)
        var reply: [String: JSONValue] = [
            "window": .int(window), "queries": .int(Int(report.queries)),
            "source": .string(fromRing ? "ring" : "tallies"), "covered": .int(Int(report.covered)),
        ]
        if !fromRing { reply["missed"] = .int(Int(report.missed)) }
        for list in lists {
            let error = report.undercount[list] ?? 0
            reply[list.rawValue] = .array((report.lists[list] ?? []).map { entry in
                var item: [String: JSONValue] = ["key": .string(entry.key), "count": .int(Int(entry.count))]
                if error > 0 { item["error"] = .int(Int(error)) }
                return .object(item)
            })
        }
        return .object(reply)
    }
}
