import DNSProto

/// What a plugin needs to do its work, which decides where its block's UDP queries run
/// (DESIGN.md "Wave 2", point 2). The UDP workers' fast path (packet cache, relay) works on
/// wire data: the client address, the question as bytes, the answer as bytes. A block whose
/// every plugin can work there is served there (`RelayRoute`); a plugin that needs a parsed
/// `Message` either takes its whole block off the fast path (`needsMessage`) or, when it only
/// cares about some questions, sends just those down the full path (`claims`).
///
/// The admission step (ACL, RRL, cookies, limits) runs before every plugin on every path and
/// is not a plugin step.
public enum FastPathStep: Sendable {
    /// Needs a parsed message for every query (zones, recursion, a forward the relay cannot
    /// carry): queries for its block take the full path.
    case needsMessage
    /// Keeps answers as bytes: the packet-cache tier with the cache's rules (TTL bounds,
    /// negative and SERVFAIL TTLs, serve-stale, optimistic answers, prefetch).
    case packetCache(CachePlugin)
    /// Sends the question on and hands the answer bytes back (`forward` over UDP).
    case relay(ForwardPlugin)
    /// Answers the questions whose lower-cased name `claims` returns true for, and passes the
    /// rest on untouched: only the claimed ones take the full path.
    case claims(@Sendable (DNSName) -> Bool)
}
