import ControlProto
import Foundation
import Resolver

/// `clients.show ADDRESS [WINDOW]`: one client over the last `window` seconds (default 3600):
/// its queries still in the event ring (count, first and last seen, rcodes, types, transports,
/// latency, its top names and how many it had limited or blocked), and its count from the
/// per-minute and per-hour summaries, which reach back the whole window however busy the
/// server is (`summaries`: the estimate and how far it may be short).
struct ClientsShowMethod: ControlMethod {
    let name = "clients.show"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let text = try params.string("address")
        guard let client = ClientAddress(text: text) else {
            throw RPCError.badParams("parameter 'address' must be an IPv4 or IPv6 address, not '\(text)'")
        }
        let window = try params.optionalInt("window", in: 1...Int(QueryTallies.longestWindow)) ?? 3600
        let now = Date().timeIntervalSince1970
        let since = UInt64(max(0, now - Double(window)) * 1_000_000_000)
        let events = context.runtime.events.recent(sinceNanos: since).filter { $0.client?.isSameHost(as: client) == true }
        let estimate = context.runtime.tallies.estimate(ofClient: client, window: UInt64(window), now: UInt64(now))
        return .object([
            "client": .string(client.ipAddress),
            "window": .int(window),
            "recent": recent(events, window: UInt64(window), complete: context.runtime.events.holdsEverything(sinceNanos: since)),
            "summaries": .object(["queries": .int(Int(estimate.count)), "error": .int(Int(estimate.error)),
                                  "covered": .int(Int(estimate.covered))]),
        ])
    }

    /// What the ring holds of the client's queries; `complete` when it holds the whole window.
    private func recent(_ events: [QueryEvent], window: UInt64, complete: Bool) -> JSONValue {
        func counts(_ key: (QueryEvent) -> String?) -> JSONValue {
            var counts: [String: Int] = [:]
            for event in events { if let key = key(event) { counts[key, default: 0] += 1 } }
            return .object(counts.mapValues { .int($0) })
        }
        let names = QueryTallies.exactReport(events, window: window, lists: [.names], limit: 10).lists[.names] ?? []
        let latencies = events.map(\.latencyNanos).sorted()
        func percentile(_ fraction: Double) -> JSONValue {
            nearestRank(latencies, fraction).map { .double(Double($0 / 1000) / 1000) } ?? .null
        }
        func time(_ event: QueryEvent?) -> JSONValue {
            event.map { .double(Double($0.timeNanos / 1_000_000) / 1000) } ?? .null
        }
        return .object([
            "complete": .bool(complete),
            "queries": .int(events.count),
            "first": time(events.first), "last_seen": time(events.last),
            "rcodes": counts { $0.rcode.description },
            "types": counts { $0.type.description },
            "transports": counts { $0.transport.rawValue },
            "latency_p50_ms": percentile(0.5), "latency_p99_ms": percentile(0.99),
            "limited": .int(events.count { TopList.limited.counts($0) }),
            "blocked": .int(events.count { TopList.blocked.counts($0) }),
            "names": .array(names.map { .object(["key": .string($0.key), "count": .int(Int($0.count))]) }),
        ])
    }
}
