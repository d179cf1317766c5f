import Foundation

/// One answered query as the live stream shows it: the fields of a `queries.event` entry the
/// console uses. Decoded straight from the notification (not through `JSONValue`), because at
/// high rates parsing is the console's main cost.
public struct StreamEvent: Sendable, Equatable, Decodable {
    /// Seconds since 1970 (milliseconds precision).
    public var time: Double
    public var client: String
    public var transport: String
    public var name: String
    public var type: String
    public var rcode: String
    public var latencyMicros: Int
    /// Where the answer came from: cache, zone, hosts, or an upstream's name.
    public var source: String
    /// DNSSEC validation's verdict (secure, insecure, bogus, indeterminate), nil when not validated.
    public var dnssec: String?
    /// Why a bogus answer is bogus (the extended DNS error's text).
    public var dnssecReason: String?

    enum CodingKeys: String, CodingKey {
        case time, client, transport, name, type, rcode, source, dnssec
        case latencyMicros = "latency_us"
        case dnssecReason = "dnssec_reason"
    }

    public init(time: Double, client: String, transport: String, name: String, type: String, rcode: String,
                latencyMicros: Int, source: String, dnssec: String? = nil, dnssecReason: String? = nil) {
        self.dnssec = dnssec
        self.dnssecReason = dnssecReason
        self.time = time
        self.client = client
        self.transport = transport
        self.name = name
        self.type = type
        self.rcode = rcode
        self.latencyMicros = latencyMicros
        self.source = source
    }

    /// The text a `/` filter is matched against: every column, space separated.
    public var filterText: String { "\(client) \(transport) \(name) \(type) \(rcode) \(source) \(dnssecCell)" }

    /// The DNSSEC column: the verdict, and for bogus the reason after it; `-` when not validated.
    public var dnssecCell: String {
        guard let dnssec else { return "-" }
        return dnssecReason.map { "\(dnssec): \($0)" } ?? dnssec
    }
}

/// One `queries.event` notification: a batch of events and how many the daemon dropped
/// before this batch because the console did not read fast enough.
public struct QueryEventBatch: Sendable, Equatable {
    public var events: [StreamEvent]
    public var missed: Int

    public init(events: [StreamEvent], missed: Int) {
        self.events = events
        self.missed = missed
    }

    private struct Notification: Decodable {
        struct Params: Decodable {
            var missed: Int?
            var events: [StreamEvent]?
        }
        var method: String?
        var params: Params?
    }

    /// The batch in one line from the stream connection, or nil if the line is something else
    /// (a response, another notification).
    public static func decode(line: [UInt8]) -> QueryEventBatch? {
        guard let note = try? JSONDecoder().decode(Notification.self, from: Data(line)),
              note.method == "queries.event", let params = note.params else { return nil }
        return QueryEventBatch(events: params.events ?? [], missed: params.missed ?? 0)
    }
}
