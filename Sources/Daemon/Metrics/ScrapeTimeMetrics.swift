import DNSProto
import Metrics
import NIOConcurrencyHelpers
import Resolver

/// Metrics whose numbers are kept elsewhere, copied into the registry when `/metrics` is
/// scraped rather than on the query path: queries in flight, the UDP workers' batch-wait
/// guard, the cache plugins' hits, misses and size, the forward plugins' per-upstream
/// queries, errors and health, the queries each blocklist blocked, and DNSSEC validations by result.
///
/// The plugins keep plain totals that start from zero whenever `config.reload` builds a new
/// plugin. A Prometheus counter must only go up, so each plugin (or upstream) instance is
/// followed separately and only what it added since the last scrape is added to the series.
/// Instances are held here until they leave the configuration, so an identifier is never
/// mistaken for a new object at a reused address.
final class ScrapeTimeMetrics: Sendable {
    private let runtime: DaemonRuntime
    private let queries: QueryMetrics
    private let factory: any MetricsFactory
    private let inFlight: Gauge
    private let suspendedWorkers: Gauge

    private struct State {
        /// Last totals seen, by instance and metric.
        var seen: [ObjectIdentifier: (instance: any AnyObject & Sendable, totals: [String: Int])] = [:]
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
    }
    private let state = NIOLockedValueBox(State())

    init(runtime: DaemonRuntime, queries: QueryMetrics, factory: any MetricsFactory) {
        self.runtime = runtime
        self.queries = queries
        self.factory = factory
        inFlight = Gauge(label: "dnsd_queries_in_flight", factory: factory)
        suspendedWorkers = Gauge(label: "dnsd_udp_batch_wait_suspended_workers", factory: factory)
    }

    /// Brings every scrape-time metric up to date; called just before the registry renders.
    func update() {
        inFlight.record(queries.inFlight)
        suspendedWorkers.record(runtime.udpWorkers.suspendedWorkers)
        let workers = runtime.udpWorkers
        let caches = runtime.plugins(of: CachePlugin.self)
        let forwards = runtime.plugins(of: ForwardPlugin.self)
        let zones = runtime.plugins(of: ZonePlugin.self)
        let validators = runtime.plugins(of: RecursePlugin.self).map(\.plugin).filter { $0.settings.dnssec == .validate }
        state.withLockedValue { state in
            var present: Set<ObjectIdentifier> = [ObjectIdentifier(runtime.udpWorkers)]
            add(&state, instance: runtime.udpWorkers, totals: ["suspensions": Int(clamping: runtime.udpWorkers.suspensions)]) { name in
                ("dnsd_udp_batch_wait_\(name)_total", [])
            }
            present.insert(ObjectIdentifier(runtime.admissionCounters))
            add(&state, instance: runtime.admissionCounters, totals: Self.admissionTotals(runtime.admissionCounters),
                series: Self.admissionSeries)
            present.insert(ObjectIdentifier(runtime.policyState))
            add(&state, instance: runtime.policyState, totals: runtime.policyState.blockedByList.mapValues { Int(clamping: $0) }) { list in
                ("dnsd_policy_blocked_total", [("list", list)])
            }
            for (block, cache) in caches {
                let label = block.zones.first?.description ?? ServerBlockCounters.noBlock
                let statistics = cache.statistics
                present.insert(ObjectIdentifier(cache))
                add(&state, instance: cache, totals: ["hits": Int(clamping: statistics.hits), "misses": Int(clamping: statistics.misses)]) { name in
                    ("dnsd_cache_\(name)_total", [("block", label)])
                }
                gauge(&state, "dnsd_cache_entries", [("block", label)]).record(statistics.entries)
            }
            // A reloaded plugin carries on with its predecessor's ValidatorState: followed by that.
            for validator in validators.map(\.validatorState) {
                present.insert(ObjectIdentifier(validator))
                var totals = Dictionary(uniqueKeysWithValues: validator.validationTotals.map { ($0.key.description, $0.value) })
                totals["budget_exhausted"] = validator.budgetExhaustedTotal
                add(&state, instance: validator, totals: totals) { name in
                    name == "budget_exhausted" ? ("dnsd_dnssec_budget_exhausted_total", []) : ("dnsd_dnssec_validations_total", [("result", name)])
                }
            }
            for (_, zone) in zones {
                let origin = zone.origin.description
                gauge(&state, "dnsd_zone_serial", [("zone", origin)]).record(Int(zone.zone.serial))
                let counters = zone.editor.transferCounters
                present.insert(ObjectIdentifier(counters))
                add(&state, instance: counters, totals: counters.totals) { name in
                    name.hasPrefix("notify_")
                        ? ("dnsd_zone_notifies_total", [("zone", origin), ("result", String(name.dropFirst("notify_".count)))])
                        : ("dnsd_zone_transfers_total", [("zone", origin), ("result", name)])
                }
            }
            // Two blocks may forward to the same upstream: their series add up, but each
            // Upstream object is followed on its own.
            var up: [String: Bool] = [:]
            for (_, forward) in forwards {
                for upstream in forward.pool.upstreams {
                    let statistics = upstream.statistics()
                    present.insert(ObjectIdentifier(upstream))
                    add(&state, instance: upstream,
                        totals: ["queries": statistics.queries, "errors": statistics.errors + statistics.timeouts,
                                 "mismatched": statistics.mismatched]) { name in
                        ("dnsd_upstream_\(name)_total", [("upstream", statistics.name)])
                    }
                    up[statistics.name, default: false] = (up[statistics.name] ?? false) || statistics.state == .up
                }
            }
            for (name, isUp) in up { gauge(&state, "dnsd_upstream_up", [("upstream", name)]).record(isUp ? 1 : 0) }
            // The in-flight caps' gauges (InFlightLimits): now, and the most one worker held.
            gauge(&state, "dnsd_relay_waiting", []).record(workers.relayWaiting)
            gauge(&state, "dnsd_relay_waiting_peak", []).record(workers.relayWaitingPeak)
            gauge(&state, "dnsd_udp_miss_waiting", []).record(workers.missWaiting)
            gauge(&state, "dnsd_udp_miss_waiting_peak", []).record(workers.missWaitingPeak)
            if let dnstap = runtime.dnstap {
                present.insert(ObjectIdentifier(dnstap))
                add(&state, instance: dnstap, totals: ["sent": Int(clamping: dnstap.sent), "dropped": Int(clamping: dnstap.dropped)]) { name in
                    ("dnsd_dnstap_\(name)_total", [])
                }
                gauge(&state, "dnsd_dnstap_connected", []).record(dnstap.connected ? 1 : 0)
            }
            if let queryLog = runtime.queryLog {
                present.insert(ObjectIdentifier(queryLog))
                add(&state, instance: queryLog, totals: ["written": Int(clamping: queryLog.written), "dropped": Int(clamping: queryLog.dropped)]) { name in
                    ("dnsd_query_log_\(name)_total", [])
                }
            }
            state.seen = state.seen.filter { present.contains($0.key) }
        }
    }

    /// Admission's counters, keyed for `admissionSeries`: `rule\u{0}NAME\u{0}ACTION` or a fixed name.
    private static func admissionTotals(_ counters: AdmissionCounters) -> [String: Int] {
        var totals: [String: Int] = [:]
        for counter in AdmissionCounters.Fixed.allCases { totals[counter.name] = Int(clamping: counters.value(counter)) }
        for rule in counters.ruleCounts { totals["rule\u{0}\(rule.name)\u{0}\(rule.action.rawValue)", default: 0] += Int(clamping: rule.count) }
        return totals
    }

    /// The Prometheus series of an admission counter: dnsd_acl_matches_total{rule,action},
    /// dnsd_rrl_responses_total{decision}, dnsd_cookie_queries_total{cookie},
    /// dnsd_cookie_badcookie_sent_total, dnsd_limit_rejected_total{limit}, dnsd_any_udp_total{answer}.
    private static func admissionSeries(_ key: String) -> (String, [(String, String)]) {
        if key.hasPrefix("rule\u{0}") {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            return ("dnsd_acl_matches_total", [("rule", parts[1]), ("action", parts[2])])
        }
        let (area, detail) = (String(key.prefix { $0 != "." }), String(key.drop { $0 != "." }.dropFirst()))
        switch area {
        case "rrl": return ("dnsd_rrl_responses_total", [("decision", detail)])
        case "cookie" where detail == "badcookie_sent": return ("dnsd_cookie_badcookie_sent_total", [])
        case "cookie": return ("dnsd_cookie_queries_total", [("cookie", detail)])
        case "limits": return ("dnsd_limit_rejected_total", [("limit", detail)])
        default: return ("dnsd_any_udp_total", [("answer", detail)])
        }
    }

    /// Adds what `instance` counted since the last scrape to the counters `series` names.
    private func add(_ state: inout State, instance: any AnyObject & Sendable, totals: [String: Int],
                     series: (String) -> (String, [(String, String)])) {
        let id = ObjectIdentifier(instance)
        var last = state.seen[id]?.totals ?? [:]
        for (name, total) in totals {
            let previous = last[name] ?? 0
            // Made before the first increment, so an idle series shows 0 rather than nothing.
            let (label, dimensions) = series(name)
            let counter = counter(&state, label, dimensions)
            if total > previous { counter.increment(by: Int64(total - previous)) }
            last[name] = max(previous, total)
        }
        state.seen[id] = (instance, last)
    }

    private func counter(_ state: inout State, _ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = Self.key(label, dimensions)
        if let counter = state.counters[key] { return counter }
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        state.counters[key] = counter
        return counter
    }

    private func gauge(_ state: inout State, _ label: String, _ dimensions: [(String, String)]) -> Gauge {
        let key = Self.key(label, dimensions)
        if let gauge = state.gauges[key] { return gauge }
        let gauge = Gauge(label: label, dimensions: dimensions, factory: factory)
        state.gauges[key] = gauge
        return gauge
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{1F}")
    }
}
