import DNSProto

/// A plugin's cap on work held for waiting queries (`cache.max_followers`,
/// `recurse.max_concurrent`): past it the query is answered at once, SERVFAIL with extended
/// error 0 "Other" naming the key (RFC 8914), never queued.
///
/// The answer's source is `limit:NAME` (admission's kind), and the query handler counts such
/// answers as `limits.NAME` in `stats.get` and `dnsd_limit_rejected_total{limit="NAME"}`, beside
/// the UDP workers' caps (InFlightLimits.swift).
public enum PluginLimit: String, Sendable, CaseIterable {
    case cacheFollowers = "cache_followers"
    case recursions

    /// The configuration key an operator raises.
    public var key: String {
        switch self {
        case .cacheFollowers: return "cache.max_followers"
        case .recursions: return "recurse.max_concurrent"
        }
    }

    /// The answer to `query` past this cap.
    func failure(to query: Message) -> PluginOutcome {
        var response = Message.response(to: query, rcode: .servFail)
        response.header.recursionAvailable = true
        if response.edns != nil { response.edns!.options = [.extendedError(code: ExtendedErrorCode.other, text: "over \(key)")] }
        return .respond(response, .admission("limit:\(rawValue)"))
    }

    /// The cap a plugin answer's source names, if any.
    init?(source: AnswerSource) {
        guard case .admission(let why) = source, why.hasPrefix("limit:"), let limit = Self(rawValue: String(why.dropFirst(6))) else { return nil }
        self = limit
    }
}
