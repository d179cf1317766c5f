import ControlProto
import Foundation
import Resolver

/// `queries.top [window] [limit]`: the most frequent names, clients, types and rcodes among
/// the queries of the last `window` seconds still held in the event ring, and the names the
/// blocklists blocked most, with the list.
struct QueriesTopMethod: ControlMethod {
    let name = "queries.top"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let window = try params.optionalInt("window", in: 1...86400) ?? 60
        let limit = try params.optionalInt("limit", in: 1...1000) ?? 10
        let since = UInt64(max(0, Date().timeIntervalSince1970 - Double(window)) * 1_000_000_000)
        let events = context.runtime.events.recent(sinceNanos: since)
        func top(_ key: (QueryEvent) -> String?) -> JSONValue {
            var counts: [String: Int] = [:]
            for event in events { if let key = key(event) { counts[key, default: 0] += 1 } }
            let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
            return .array(ranked.map { .object(["key": .string($0.key), "count": .int($0.value)]) })
        }
        return .object([
            "window": .int(window), "queries": .int(events.count),
            "names": top { $0.name.lowercased.description },
            "clients": top { $0.clientAddress },
            "types": top { $0.type.description },
            "rcodes": top { $0.rcode.description },
            "blocked": top { event in
                guard case .admission(let why) = event.source, why.hasPrefix("policy:") else { return nil }
                return "\(event.name.lowercased) \(why)"
            },
        ])
    }
}
