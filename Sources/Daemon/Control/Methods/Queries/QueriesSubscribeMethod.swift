import ControlProto
import NIOCore
import Resolver

/// `queries.subscribe [suffix] [client] [rcode] [min_latency_ms] [sample]`: streams answered
/// queries to this connection as `queries.event` notifications.
///
/// The query path only appends to the event ring; this poller reads the ring every
/// 200 ms and sends what is new. A subscriber that cannot keep up (its socket is not
/// writable, or it fell a whole ring behind) is told how many events it missed.
struct QueriesSubscribeMethod: ControlMethod {
    let name = "queries.subscribe"
    static let interval = TimeAmount.milliseconds(200)
    static let maxEventsPerNotification = 1000

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        var filter = QueryEventFilter()
        if let suffix = try params.optionalString("suffix"), !suffix.isEmpty { filter.suffix = try DNSNameText(suffix) }
        filter.client = try params.optionalString("client")
        if let rcode = try params.optionalString("rcode") { filter.rcode = rcode.uppercased() }
        filter.minLatencyNanos = UInt64(try params.optionalInt("min_latency_ms", in: 0...600_000) ?? 0) * 1_000_000
        filter.sample = try params.optionalInt("sample", in: 1...1_000_000) ?? 1
        let session = context.session
        let ring = context.runtime.events
        let loop = session.channel.eventLoop
        let start = ring.cursor
        let chosen = filter
        let id: Int
        do {
            id = try session.addSubscription { id in
                loop.scheduleTask(in: Self.interval) { Self.poll(id: id, cursor: start, filter: chosen, ring: ring, session: session) }
            }
        } catch let limit as ControlLimitExceeded {
            throw RPCError(code: RPCError.limitExceeded, message: limit.description)
        }
        return .object(["subscription": .int(id)])
    }

    /// One round: send what arrived since `cursor`, then schedule the next round.
    static func poll(id: Int, cursor: UInt64, filter: QueryEventFilter, ring: QueryEventRing, session: ControlSession) {
        guard session.isSubscribed(id), session.channel.isActive else { return }
        var (events, next, missed) = ring.read(from: cursor, limit: maxEventsPerNotification)
        var selected: [JSONValue] = []
        if session.channel.isWritable {
            for event in events where filter.matches(event) {
                // Random 1-in-N rather than every Nth: regular traffic (a monitor asking the same
                // few names in turn) would otherwise alias and show a single name.
                if filter.sample == 1 || Int.random(in: 0..<filter.sample) == 0 { selected.append(QueryEventJSON.encode(event)) }
            }
        } else {
            missed += UInt64(events.count)  // the reader is not keeping up: drop rather than buffer
            events = []
        }
        if !selected.isEmpty || missed > 0 {
            session.notify(method: "queries.event", params: .object([
                "subscription": .int(id), "missed": .int(Int(missed)), "events": .array(selected),
            ]))
        }
        let delay = next < ring.cursor ? TimeAmount.zero : interval  // more waiting: keep going
        let nextCursor = next
        let task = session.channel.eventLoop.scheduleTask(in: delay) {
            poll(id: id, cursor: nextCursor, filter: filter, ring: ring, session: session)
        }
        _ = session.replaceSubscriptionTask(id, with: task)
    }
}
