import NIOConcurrencyHelpers

/// What admission counts: each access rule's matches (by rule name and action), and fixed
/// counters for rate limiting, cookies, client limits and ANY. Kept by the daemon across
/// reloads, so a rule that keeps its name keeps its count. Striped (StripedCounters), as the
/// UDP workers count on every query.
public final class AdmissionCounters: Sendable {
    /// The fixed counters, by the name `stats.get` and the metrics give them.
    public enum Fixed: Int, CaseIterable, Sendable {
        case rrlSent, rrlSlipped, rrlDropped, rrlExempt
        case cookieClientOnly, cookieValid, cookieInvalid, cookieBadCookieSent
        case limitQueriesPerSecond, limitWaiting
        case anyMinimal, anyRefused
        case limitRelayWaiting, limitRelayFollowers, limitMissWaiting
        case limitCacheFollowers, limitRecursions
        case limitStreamConnections, limitStreamConnectionsPerClient, limitQueryTimeout

        public var name: String {
            switch self {
            case .rrlSent: return "rrl.sent"
            case .rrlSlipped: return "rrl.slipped"
            case .rrlDropped: return "rrl.dropped"
            case .rrlExempt: return "rrl.exempt"
            case .cookieClientOnly: return "cookie.client_only"
            case .cookieValid: return "cookie.valid"
            case .cookieInvalid: return "cookie.invalid"
            case .cookieBadCookieSent: return "cookie.badcookie_sent"
            case .limitQueriesPerSecond: return "limits.queries_per_second"
            case .limitWaiting: return "limits.waiting"
            case .anyMinimal: return "any.minimal"
            case .anyRefused: return "any.refused"
            case .limitRelayWaiting: return "limits.relay_waiting"
            case .limitRelayFollowers: return "limits.relay_followers"
            case .limitMissWaiting: return "limits.miss_waiting"
            case .limitCacheFollowers: return "limits.cache_followers"
            case .limitRecursions: return "limits.recursions"
            case .limitStreamConnections: return "limits.tcp_connections"
            case .limitStreamConnectionsPerClient: return "limits.tcp_connections_per_client"
            case .limitQueryTimeout: return "limits.tcp_query_timeout"
            }
        }

        /// The counter of the queries over a plugin's cap.
        init(_ limit: PluginLimit) {
            switch limit {
            case .cacheFollowers: self = .limitCacheFollowers
            case .recursions: self = .limitRecursions
            }
        }

        /// The counter of the queries over an in-flight cap.
        init(_ limit: InFlightLimits.Limit) {
            switch limit {
            case .relayWaiting: self = .limitRelayWaiting
            case .relayFollowers: self = .limitRelayFollowers
            case .missWaiting: self = .limitMissWaiting
            }
        }
    }

    /// Distinct (rule, action) pairs counted; more share the last slot, named "other".
    public static let ruleSlots = 1024
    private let counters = StripedCounters(count: Fixed.allCases.count + AdmissionCounters.ruleSlots)
    private let rules = NIOLockedValueBox<[(name: String, action: AccessRule.Action)]>([])

    public init() {}

    /// Counts one; public for the limits kept outside admission (the stream listeners').
    public func increment(_ counter: Fixed) { counters.increment(counter.rawValue) }

    /// The slot counting `rule`'s matches (made on first use: at configuration time).
    func slot(for rule: AccessRule) -> Int {
        rules.withLockedValue { rules in
            if let index = rules.firstIndex(where: { $0.name == rule.name && $0.action == rule.action }) {
                return Fixed.allCases.count + index
            }
            guard rules.count < Self.ruleSlots - 1 else { return Fixed.allCases.count + Self.ruleSlots - 1 }
            rules.append((rule.name, rule.action))
            return Fixed.allCases.count + rules.count - 1
        }
    }

    func countRule(slot: Int) { counters.increment(slot) }

    public func value(_ counter: Fixed) -> UInt64 { counters.sum(counter.rawValue) }

    /// Each rule's matches: (rule name, action, count), in the order the rules were first seen.
    public var ruleCounts: [(name: String, action: AccessRule.Action, count: UInt64)] {
        let known = rules.withLockedValue { $0 }
        return known.enumerated().map { index, rule in (rule.name, rule.action, counters.sum(Fixed.allCases.count + index)) }
    }

    /// Every counter by its `stats.get` name: `acl.ACTION` (over all rules),
    /// `acl.rule.NAME.ACTION`, and the fixed ones (`rrl.dropped`, `cookie.valid`, ...).
    public var flat: [String: UInt64] {
        var values: [String: UInt64] = [:]
        for counter in Fixed.allCases { values[counter.name] = value(counter) }
        for (action, count) in actionCounts { values["acl.\(action.rawValue)"] = count }
        for rule in ruleCounts { values["acl.rule.\(rule.name).\(rule.action.rawValue)", default: 0] += rule.count }
        return values
    }

    /// Matches per action, over every rule.
    public var actionCounts: [AccessRule.Action: UInt64] {
        var totals: [AccessRule.Action: UInt64] = [:]
        for action in AccessRule.Action.allCases { totals[action] = 0 }
        for rule in ruleCounts { totals[rule.action, default: 0] += rule.count }
        return totals
    }
}
