import ControlProto

/// One client's drill-down (Enter on a client), from `clients.show`: its recent queries from
/// the event ring and its count from the per-minute and per-hour summaries.
public struct ClientDetail: Sendable, Equatable {
    public var address: String
    public var window: Int
    public var queries: Int
    /// The ring held the whole window (else its figures cover only the newest part).
    public var complete: Bool
    public var lastSeen: Double?
    public var rcodes: [TopEntry]
    public var types: [TopEntry]
    public var transports: [TopEntry]
    public var latencyP50ms: Double?
    public var latencyP99ms: Double?
    public var limited: Int
    public var blocked: Int
    public var names: [TopEntry]
    /// The summaries' count over the whole window (nil from a dnsd without them).
    public var summaryQueries: Int?

    public init?(json: JSONValue) {
        guard let address = json["client"]?.stringValue else { return nil }
        let recent = json["recent"]
        func counts(_ key: String) -> [TopEntry] {
            guard case .object(let values)? = recent?[key] else { return [] }
            return TableSort.primary.sorted(values.map { TopEntry(key: $0.key, count: $0.value.intValue ?? 0) })
        }
        func number(_ value: JSONValue?) -> Double? {
            switch value {
            case .double(let number)?: return number
            case .int(let number)?: return Double(number)
            default: return nil
            }
        }
        self.address = address
        window = json["window"]?.intValue ?? 0
        queries = recent?["queries"]?.intValue ?? 0
        complete = recent?["complete"] == .bool(true)
        lastSeen = number(recent?["last_seen"])
        rcodes = counts("rcodes")
        types = counts("types")
        transports = counts("transports")
        latencyP50ms = number(recent?["latency_p50_ms"])
        latencyP99ms = number(recent?["latency_p99_ms"])
        limited = recent?["limited"]?.intValue ?? 0
        blocked = recent?["blocked"]?.intValue ?? 0
        names = recent?["names"]?.arrayValue?.compactMap { entry in
            entry["key"]?.stringValue.map { TopEntry(key: $0, count: entry["count"]?.intValue ?? 0) }
        } ?? []
        summaryQueries = json["summaries"]?["queries"]?.intValue
    }

    /// The overlay's lines, at most `nameRows` top names.
    public func lines(now: Double, nameRows: Int = 8) -> [(text: String, style: CellStyle)] {
        func list(_ entries: [TopEntry]) -> String { entries.isEmpty ? "-" : entries.map { "\($0.key) \($0.count)" }.joined(separator: "  ") }
        func ms(_ value: Double?) -> String { value.map { LatencySummary.format(micros: Int(($0 * 1000).rounded())) } ?? "-" }
        var lines: [(String, CellStyle)] = []
        let summary = summaryQueries.map { " (summaries \($0))" } ?? ""
        lines.append(("queries \(queries)\(complete ? "" : " in the ring's part of the window")\(summary)", .normal))
        let seen = lastSeen.map { "\(max(0, Int(now - $0)))s ago" } ?? "never"
        lines.append(("last seen \(seen)", .normal))
        lines.append(("rcodes  \(list(rcodes))", rcodes.contains { $0.key != "NOERROR" } ? .warn : .normal))
        lines.append(("types  \(list(types))", .normal))
        lines.append(("transports  \(list(transports))", .normal))
        lines.append(("latency p50 \(ms(latencyP50ms))  p99 \(ms(latencyP99ms))", .normal))
        if limited > 0 || blocked > 0 { lines.append(("limited \(limited)  blocked \(blocked)", .warn)) }
        lines.append(("top names", .dim))
        lines += names.prefix(nameRows).map { ("  \($0.key)  \($0.count)", CellStyle.normal) }
        if names.isEmpty { lines.append(("  -", .dim)) }
        return lines
    }
}
