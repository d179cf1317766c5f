import DNSProto
import NIOCore

/// One answered query, as the query log, statistics and subscribers see it.
public struct QueryEvent: Sendable {
    /// Wall-clock time the query arrived, in nanoseconds since 1970.
    public var timeNanos: UInt64
    public var client: ClientAddress?
    public var transport: Transport
    public var name: DNSName
    public var type: RecordType
    public var rcode: Rcode
    /// From arrival to the encoded answer.
    public var latencyNanos: UInt64
    public var source: AnswerSource
    public var truncated: Bool
    public var dnssecOK: Bool
    public var responseBytes: Int
    /// What DNSSEC validation found (nil: not validated) and, for bogus, why (the extended error's text).
    public var dnssec: DNSSECStatus?
    public var dnssecReason: String?

    public init(timeNanos: UInt64, client: ClientAddress?, transport: Transport, name: DNSName, type: RecordType,
                rcode: Rcode, latencyNanos: UInt64, source: AnswerSource, truncated: Bool, dnssecOK: Bool, responseBytes: Int,
                dnssec: DNSSECStatus? = nil, dnssecReason: String? = nil) {
        self.dnssec = dnssec
        self.dnssecReason = dnssecReason
        self.timeNanos = timeNanos
        self.client = client
        self.transport = transport
        self.name = name
        self.type = type
        self.rcode = rcode
        self.latencyNanos = latencyNanos
        self.source = source
        self.truncated = truncated
        self.dnssecOK = dnssecOK
        self.responseBytes = responseBytes
    }

    /// The client's IP address as text ("-" when unknown).
    public var clientAddress: String { client?.ipAddress ?? "-" }
}

/// Something that wants every answered query: counters, the event ring, metrics.
/// `record` runs on the event loop of the query and must be cheap and never block.
public protocol QueryObserver: Sendable {
    func record(_ event: QueryEvent)
    /// A query with a question was parsed; exactly one `record` follows when it is answered
    /// (for the in-flight gauge). Optional: the default does nothing.
    func queryStarted()
    /// Queries started and answered together (a UDP worker's burst of packet-cache hits):
    /// what `queryStarted` then `record` for each would do, in one go, so that an observer
    /// with a lock takes it once per burst. Optional: the default does exactly that.
    func recordAnswered(_ events: [QueryEvent])
}

extension QueryObserver {
    public func queryStarted() {}

    public func recordAnswered(_ events: [QueryEvent]) {
        for event in events {
            queryStarted()
            record(event)
        }
    }
}
