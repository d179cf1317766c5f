import ControlProto

/// One round of polling the daemon, already parsed: what `ConsoleState.apply` takes. Fields
/// the round did not fetch (the slow ones are fetched every few rounds) are nil.
public struct PollSnapshot: Sendable, Equatable {
    public var version: String?
    public var uptimeSeconds: Int?
    public var totalQueries: Int?
    public var rcodes: [String: Int]?
    public var inFlight: Int?
    public var batchWaitSuspendedWorkers: Int?
    public var cacheHitRatio: Double??
    public var latency10s: LatencySummary?
    public var latency1m: LatencySummary?
    public var upstreams: [UpstreamRow]?
    public var certificates: [CertificateRow]?
    public var topNames: [TopEntry]?
    public var topClients: [TopEntry]?
    /// Client networks response rate limiting is limiting (`rrl.list`), most limited first.
    public var limitedClients: [TopEntry]?
    public var readOnly: Bool?

    public init() {}

    /// `stats.get`'s flat counters.
    public mutating func takeStats(_ json: JSONValue) {
        guard case .object(let values) = json else { return }
        totalQueries = values["queries.total"]?.intValue
        var rcodes: [String: Int] = [:]
        for (key, value) in values where key.hasPrefix("answers.rcode.") {
            rcodes[String(key.dropFirst("answers.rcode.".count))] = value.intValue ?? 0
        }
        self.rcodes = rcodes
        // Not every dnsd reports it; the header shows "-" then.
        inFlight = (values["queries.in_flight"] ?? values["queries.inflight"])?.intValue
        batchWaitSuspendedWorkers = values["udp.batch_wait.suspended_workers"]?.intValue
    }

    /// `cache.stats`: hits over lookups of every cache together (nil: no cache configured).
    public mutating func takeCache(_ json: JSONValue?) {
        guard let caches = json?.arrayValue, !caches.isEmpty else { cacheHitRatio = .some(nil); return }
        let hits = caches.reduce(0) { $0 + ($1["hits"]?.intValue ?? 0) }
        let misses = caches.reduce(0) { $0 + ($1["misses"]?.intValue ?? 0) }
        cacheHitRatio = .some(hits + misses == 0 ? nil : Double(hits) / Double(hits + misses))
    }

    /// `queries.top`'s names and clients.
    public mutating func takeTop(_ json: JSONValue) {
        func entries(_ key: String) -> [TopEntry] {
            json[key]?.arrayValue?.compactMap { entry in
                entry["key"]?.stringValue.map { TopEntry(key: $0, count: entry["count"]?.intValue ?? 0) }
            } ?? []
        }
        topNames = entries("names")
        topClients = entries("clients")
    }

    /// `rrl.list`: each limited network with its response kind, and how many were limited.
    public mutating func takeLimited(_ json: JSONValue?) {
        limitedClients = json?.arrayValue?.compactMap { entry in
            guard let network = entry["network"]?.stringValue else { return nil }
            let kind = entry["kind"]?.stringValue ?? "?"
            return TopEntry(key: "\(network) \(kind)", count: entry["limited"]?.intValue ?? 0)
        } ?? []
    }

    /// `tls.reload`'s result, or the data of its -32002 error.
    public static func report(_ json: JSONValue?) -> ControlReport {
        ControlReport(lines: json?["certificates"]?.arrayValue?.map { entry in
            let name = entry["name"]?.stringValue ?? "?"
            let result = entry["result"]?.stringValue ?? "?"
            let detail = entry["reason"]?.stringValue ?? entry["serial"]?.stringValue.map { "serial \($0)" } ?? ""
            return .init(name: name, result: result, detail: detail)
        } ?? [])
    }
}
