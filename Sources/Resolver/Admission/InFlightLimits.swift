/// Caps on the work a UDP worker holds for queries waiting on upstreams (the `limits:` keys
/// `relay_waiting`, `relay_followers`, `miss_waiting`, `upstream_sockets`; docs/access.md).
///
/// `limits.waiting_per_client` bounds one client, and loopback (where a local stub or a
/// forwarder in front of dnsd sits) is exempt from it; these bound everyone together, so a
/// random-subdomain flood against a slow or black-holed upstream costs at most this much
/// memory per worker whatever its rate times the upstream timeout. Past a cap the query is
/// answered SERVFAIL with extended error 0 "Other" naming the key (or dropped, `inflight_action`),
/// never queued, and counted as `limits.NAME` (`dnsd_limit_rejected_total{limit="NAME"}`).
public struct InFlightLimits: Sendable, Equatable {
    /// What a query over one of these caps gets.
    public enum Action: String, Sendable, CaseIterable { case servfail, drop }

    /// The caps, by the name config, counters and answers give them.
    public enum Limit: String, Sendable, CaseIterable {
        /// Questions one worker's relay waits on at once (its in-flight table).
        case relayWaiting = "relay_waiting"
        /// Clients waiting for one relayed question (coalesced followers).
        case relayFollowers = "relay_followers"
        /// Misses one worker has handed to its event loop and not yet answered.
        case missWaiting = "miss_waiting"
    }

    public var relayWaiting = 10_000
    public var relayFollowers = 100
    public var missWaiting = 10_000
    public var action: Action = .servfail
    /// `upstream_sockets`: UDP sockets one thread keeps open for upstream queries (each UDP
    /// worker's relay, each event loop's full path). Below it every query (on the relay, every
    /// burst's queries to one upstream) leaves from a fresh random port; at it, new ones share
    /// the open sockets' ports instead of waiting or failing. Not a cap that turns queries
    /// away, so it has no `Limit`.
    public var upstreamSockets = 1024

    public init() {}

    /// What the query over `limit` gets: SERVFAIL naming the key, or nothing.
    func rejection(_ limit: Limit) -> Admission.Rejection {
        action == .drop ? .drop("limit:\(limit.rawValue)") : .servfail("limit:\(limit.rawValue)", text: "over limits.\(limit.rawValue)")
    }
}
